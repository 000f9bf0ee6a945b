// The inductive-bias lab: the user's ViT next to the lab's small CNN on the same images. A CNN
// builds in locality and (nearly) translation equivariance; a ViT has to learn both from data.
// Each panel tests one side of that, on the current image and on the bundled samples.

import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore, useBiasLabStore, useImageStore } from '../../../stores';
import { CostsPanel } from './CostsPanel';
import { LocalityPanel } from './LocalityPanel';
import { OcclusionPanel } from './OcclusionPanel';
import { ShufflePanel } from './ShufflePanel';
import { TranslationPanel } from './TranslationPanel';

export function BiasLab() {
  const { t } = useTranslation();
  const vit = useAppStore((s) => s.slots.vit.current);
  const output = useImageStore((s) => s.output);
  const { cnn, cnnError, running } = useBiasLabStore(useShallow((s) => ({ cnn: s.cnn, cnnError: s.cnnError, running: s.running })));
  const busy = running.current || running.samples || running.shuffle;
  return (
    <div className="lab bias-lab">
      <p className="explain intro">{t('biasLab.intro')}</p>
      <p className="run-state" aria-live="polite" data-testid="bias-running">
        {busy ? t('biasLab.running') : ''}
      </p>
      {cnnError && (
        <p role="alert" className="error-box" data-testid="bias-error">
          {cnnError}
        </p>
      )}
      {!cnn && !cnnError && <p>{t('biasLab.loadingCnn')}</p>}
      {vit && cnn && (
        <>
          <p className="muted" data-testid="bias-models">
            {t('biasLab.models.line', { vit: vit.name, cnn: 'mini-cnn' })}
          </p>
          <TranslationPanel preprocessing={vit.info.preprocessing} />
          <OcclusionPanel preprocessing={vit.info.preprocessing} />
          <ShufflePanel preprocessing={cnn.preprocessing} imageSide={cnn.config.image_size[0]} patchSize={vit.info.config.patch_size} />
          {output && <LocalityPanel cnn={cnn} output={output} model={vit.name} />}
          <CostsPanel />
        </>
      )}
    </div>
  );
}
