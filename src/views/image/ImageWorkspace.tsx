// The image workspace: pick an image, see what the ViT predicts and how it got there (attention
// maps, rollout, attention distance), and what it learned about space (position embeddings).

import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../stores';
import { useImageStore } from '../../stores';
import { Panel } from '../common/Panel';
import { BiasLab } from './lab/BiasLab';
import { AttentionDistancePlot } from './AttentionDistancePlot';
import { AttentionMaps } from './AttentionMaps';
import { DistillationHeads } from './DistillationHeads';
import { HeadGrid } from './HeadGrid';
import { ImagePicker } from './ImagePicker';
import { ImageNeuronPanel } from './NeuronPanel';
import { InputView } from './InputView';
import { PatchOutputs } from './PatchOutputs';
import { PositionStructureLab } from './lab/PositionStructureLab';
import { PositionEmbeddingGrid } from './PositionEmbeddingGrid';
import { RolloutView } from './RolloutView';
import { ImageSectionTabs, useImageSection } from './SectionTabs';
import { ClassNote, TopClasses } from './TopClasses';
import { displayPixels } from './vitData';
import './image.css';

export function ImageWorkspace() {
  const loadSamples = useImageStore((s) => s.loadSamples);

  useEffect(() => {
    if (!useImageStore.getState().samples) void loadSamples();
  }, [loadSamples]);

  const section = useImageSection();
  return (
    <div className="workspace image-workspace">
      <ImageSectionTabs />
      <div role="tabpanel" aria-labelledby={`section-${section}`}>
        {section === 'explore' && <ExploreSection />}
        {section === 'inductive-bias' && (
          <>
            {/* The lab works on the current image: the picker stays. */}
            <ImagePicker />
            <BiasLab />
          </>
        )}
        {section === 'position-structure' && <PositionStructureLab />}
      </div>
    </div>
  );
}

/** The views of one image: input, prediction, attention, rollout, distances, position embeddings. */
function ExploreSection() {
  const { t } = useTranslation();
  const model = useAppStore((s) => s.slots.vit.current);
  const output = useImageStore((s) => s.output);
  const source = useImageStore((s) => s.source);
  const error = useImageStore((s) => s.error);
  const overlayOpacity = useImageStore((s) => s.overlayOpacity);
  const setOverlayOpacity = useImageStore((s) => s.setOverlayOpacity);
  const pixels = useMemo(() => (output ? displayPixels(output) : null), [output]);

  return (
    <>
      <p className="explain intro">{t('image.intro')}</p>
      <ImagePicker />
      {error && (
        <p role="alert" className="error-box" data-testid="image-error">
          {error}
        </p>
      )}
      {!model && <p>{t('image.waitingForModel')}</p>}
      {model && <PositionEmbeddingGrid info={model.info} />}
      {output && pixels && model && source && (
        <>
          <div className="panel-pair">
            <Panel
              title={t('image.input.title')}
              exportName="vit-input"
              explain={t('image.input.explain')}
              data={() => ({ image: source.name, grid: output.grid, pixel_values: output.pixel_values })}
            >
              <InputView pixels={pixels} grid={output.grid} source={source} preprocessing={model.info.preprocessing} />
            </Panel>
            <Panel
              title={t('image.prediction.title')}
              exportName="vit-top-classes"
              explain={t('image.prediction.explain')}
              data={() => ({ top: output.top, logits: output.logits })}
            >
              {output.top ? (
                <>
                  <TopClasses top={output.top} />
                  <ClassNote labels={model.info.config.id2label} model={model.name} />
                </>
              ) : (
                <p>{t('image.prediction.noHead')}</p>
              )}
            </Panel>
          </div>
          {output.distillation && output.top && (
            <Panel
              title={t('image.distillation.title')}
              exportName="deit-heads"
              explain={t('image.distillation.explain')}
              data={() => ({ ...output.distillation, logits: output.logits })}
            >
              <DistillationHeads distillation={output.distillation} mean={output.top} />
            </Panel>
          )}
          <label className="opacity-control">
            {t('image.opacity')}{' '}
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={overlayOpacity}
              onChange={(e) => setOverlayOpacity(Number(e.target.value))}
              data-testid="overlay-opacity"
            />
          </label>
          <AttentionMaps output={output} pixels={pixels} />
          <ImageNeuronPanel output={output} pixels={pixels} />
          <HeadGrid output={output} pixels={pixels} />
          <RolloutView output={output} pixels={pixels} />
          <AttentionDistancePlot output={output} model={model.name} />
          <PatchOutputs output={output} pixels={pixels} />
        </>
      )}
    </>
  );
}
