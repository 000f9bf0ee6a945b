// The timeline: mini-ViT's position embeddings at saved points of a training run from random
// initialisation, on a slider that plays. The grid and its Spearman ρ are computed from the saved
// embeddings, exactly as for a loaded model; the recorded ρ and accuracy come from the run's index.

import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { usePositionLabStore } from '../../../stores';
import { formatNumber, formatPercent } from '../../common/format';
import { PositionStructurePanel } from '../PositionEmbeddingGrid';

export function TimelinePanel() {
  const { t } = useTranslation();
  const { timeline, error, frame, playing, setFrame, setPlaying } = usePositionLabStore(
    useShallow((s) => ({ timeline: s.timeline, error: s.timelineError, frame: s.frame, playing: s.playing, setFrame: s.setFrame, setPlaying: s.setPlaying })),
  );
  if (error) {
    return (
      <p role="alert" className="error-box" data-testid="timeline-error">
        {error}
      </p>
    );
  }
  if (!timeline) return <p className="explain">{t('positionLab.timeline.loading')}</p>;
  const f = timeline.frames[frame];
  return (
    <PositionStructurePanel
      positionEmbeddings={timeline.positions[frame]}
      prefix={1}
      grid={timeline.grid}
      title={t('positionLab.timeline.title')}
      exportName="position-timeline"
      keepPrevious
    >
      <p className="explain">{t('positionLab.timeline.explain', { frames: timeline.frames.length, testImages: f.test_images })}</p>
      <div className="input-row timeline-controls">
        <button type="button" onClick={() => setPlaying(!playing)} data-testid="timeline-play">
          {playing ? t('positionLab.timeline.pause') : t('positionLab.timeline.play')}
        </button>
        <label>
          {t('positionLab.timeline.slider')}{' '}
          <input
            type="range"
            min={0}
            max={timeline.frames.length - 1}
            step={1}
            value={frame}
            onChange={(e) => setFrame(Number(e.target.value))}
            data-testid="timeline-slider"
          />
        </label>
      </div>
      <p data-testid="timeline-frame" data-frame={frame}>
        {t('positionLab.timeline.frame', { step: f.step, images: formatNumber(f.images, 0), minutes: formatNumber(f.minutes, 1) })}
      </p>
      <p data-testid="timeline-recorded">
        {t('positionLab.timeline.recorded', { spearman: formatNumber(f.spearman, 4), accuracy: formatPercent(f.test_accuracy) })}
      </p>
    </PositionStructurePanel>
  );
}
