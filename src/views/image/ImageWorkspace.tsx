// The image workspace: pick an image, see what the ViT predicts and how it got there (attention
// maps, rollout, attention distance), and what it learned about space (position embeddings).

import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore, useBiasLabStore } from '../../stores';
import { useImageStore } from '../../stores';
import { Panel } from '../common/Panel';
import { SectionTabs } from '../common/SectionTabs';
import { BiasLab } from './lab/BiasLab';
import { AttentionDistancePlot } from './AttentionDistancePlot';
import { AttentionMaps } from './AttentionMaps';
import { DistillationHeads } from './DistillationHeads';
import { HeadGrid } from './HeadGrid';
import { ImagePicker } from './ImagePicker';
import { ImageNeuronPanel } from './NeuronPanel';
import { InputView } from './InputView';
import { PatchOutputs } from './PatchOutputs';
import { PositionEmbeddingGrid } from './PositionEmbeddingGrid';
import { RolloutView } from './RolloutView';
import { TopClasses } from './TopClasses';
import { displayPixels } from './vitData';
import './image.css';

export function ImageWorkspace() {
  const { t } = useTranslation();
  const { open: labOpen, setOpen } = useBiasLabStore(useShallow((s) => ({ open: s.open, setOpen: s.setOpen })));
  const loadSamples = useImageStore((s) => s.loadSamples);

  useEffect(() => {
    if (!useImageStore.getState().samples) void loadSamples();
  }, [loadSamples]);

  return (
    <div className="workspace image-workspace">
      <SectionTabs
        label={t('image.sections.label')}
        sections={[
          { id: 'explore', label: t('image.sections.explore') },
          { id: 'inductive-bias', label: t('image.sections.inductiveBias') },
        ]}
        selected={labOpen ? 'inductive-bias' : 'explore'}
        onSelect={(id) => setOpen(id === 'inductive-bias')}
      />
      <div role="tabpanel" aria-labelledby={`section-${labOpen ? 'inductive-bias' : 'explore'}`}>
        {/* The lab also reads the current image: the picker stays above both sections. */}
        <ImagePicker />
        {labOpen ? <BiasLab /> : <ExploreSection />}
      </div>
    </div>
  );
}

/** The views of one image: input, prediction, attention, rollout, distances, position embeddings. */
function ExploreSection() {
  const { t } = useTranslation();
  const model = useAppStore((s) => s.slots.vit.current);
  const output = useImageStore((s) => s.output);
  const error = useImageStore((s) => s.error);
  const overlayOpacity = useImageStore((s) => s.overlayOpacity);
  const setOverlayOpacity = useImageStore((s) => s.setOverlayOpacity);
  const pixels = useMemo(() => (output ? displayPixels(output) : null), [output]);

  return (
    <>
      <p className="explain intro">
        A Vision Transformer cuts the image into square patches, turns each into a vector and lets every patch attend to every
        other one, with a [CLS] token whose final state is classified. Unlike a CNN it has no built-in notion of locality or of
        translation: it has to learn both from data.
      </p>
      {error && (
        <p role="alert" className="error-box" data-testid="image-error">
          {error}
        </p>
      )}
      {!model && <p>Waiting for an image model…</p>}
      {model && <PositionEmbeddingGrid info={model.info} />}
      {output && pixels && model && (
        <>
          <div className="panel-pair">
            <Panel
              title="Model input"
              exportName="vit-input"
              explain="The image as the model receives it: resized and converted (shown here with the rescale and normalisation undone), cut into patches."
              data={() => ({ grid: output.grid, pixel_values: output.pixel_values })}
            >
              <InputView pixels={pixels} grid={output.grid} />
            </Panel>
            <Panel
              title="Prediction"
              exportName="vit-top-classes"
              explain="The classifier reads the final [CLS] state; these are its five most probable classes."
              data={() => ({ top: output.top, logits: output.logits })}
            >
              {output.top ? <TopClasses top={output.top} /> : <p>This checkpoint has no classification head.</p>}
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
            Map opacity over the image{' '}
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
