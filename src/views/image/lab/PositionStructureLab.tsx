// The position-structure lab: ViT's position embeddings going from noise to the image's 2-D
// layout, first in mini-ViT's saved training run, then in a small ViT trained live in the browser.

import { useTranslation } from 'react-i18next';
import { LiveTrainingPanel } from './LiveTrainingPanel';
import { TimelinePanel } from './TimelinePanel';

export function PositionStructureLab() {
  const { t } = useTranslation();
  return (
    <div className="lab">
      <p className="explain intro">{t('positionLab.intro')}</p>
      <TimelinePanel />
      <LiveTrainingPanel />
    </div>
  );
}
