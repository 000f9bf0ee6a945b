// The classifier's five most probable classes, as bars, and what the classifier can answer at
// all: a classifier with a handful of classes gives one of them for any picture.

import { useTranslation } from 'react-i18next';
import type { ClassProbability } from '../../models/types';
import { ProbabilityBar } from '../common/ProbabilityBar';

/** Up to this many classes, the note lists them all. */
const FEW_CLASSES = 20;

export function TopClasses({ top }: { top: ClassProbability[] }) {
  return (
    <ol className="prob-bars top-classes" data-testid="top-classes">
      {top.map((c) => (
        <li key={c.id} className="prob-row">
          <ProbabilityBar label={c.label} prob={c.prob} />
        </li>
      ))}
    </ol>
  );
}

export function ClassNote({ labels, model }: { labels: string[]; model: string }) {
  const { t } = useTranslation();
  if (labels.length > FEW_CLASSES) return null;
  return (
    <p role="note" className="muted" data-testid="class-note">
      {t('image.prediction.onlyClasses', { count: labels.length, classes: labels.join(', ') })}
      {/* The bundled model's card (public/models/mini-vit/README.md) documents its data. */}
      {model === 'bundled:mini-vit' && ` ${t('image.prediction.fashion')}`}
    </p>
  );
}
