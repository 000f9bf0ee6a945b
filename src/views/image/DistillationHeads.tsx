// A distilled DeiT's two classifiers side by side, [CLS]'s and the distillation token's, with the
// mean of their logits that the model reports as its prediction.

import { useTranslation } from 'react-i18next';
import type { ClassProbability, DistillationOutput } from '../../models/types';
import { TopClasses } from './TopClasses';

export function DistillationHeads({ distillation, mean }: { distillation: DistillationOutput; mean: ClassProbability[] }) {
  const { t } = useTranslation();
  const columns = [
    { key: 'cls', title: t('image.distillation.cls'), top: distillation.cls_top },
    { key: 'distillation', title: t('image.distillation.distillation'), top: distillation.distillation_top },
    { key: 'mean', title: t('image.distillation.mean'), top: mean },
  ];
  return (
    <div className="distillation-heads" data-testid="distillation-heads">
      {columns.map((c) => (
        <figure key={c.key} data-testid={`head-${c.key}`}>
          <figcaption>{c.title}</figcaption>
          <TopClasses top={c.top} />
        </figure>
      ))}
    </div>
  );
}
