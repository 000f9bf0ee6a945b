// Next-sentence prediction: the pretraining head that reads [CLS] and says whether B really
// followed A in the corpus. Swapping in a random B shows the contrast.

import { useTranslation } from 'react-i18next';
import type { FullBertOutput } from '../../models/types';
import { useTextStore } from '../../stores';
import { ProbabilityBar } from '../common/ProbabilityBar';

export function NspPanel({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const randomSentenceB = useTextStore((s) => s.randomSentenceB);
  const hasB = output.encoding.segment.includes(1);
  const swap = (
    <button type="button" onClick={randomSentenceB}>
      {t('text.nsp.swap')}
    </button>
  );
  if (!output.nsp) return <p>{t('text.nsp.noHead')}</p>;
  if (!hasB) {
    return (
      <p>
        {t('text.nsp.noB')} {swap}
      </p>
    );
  }
  // The head's two classes keep their names from the BERT paper and code.
  const rows = [
    { label: 'IsNext', prob: output.nsp.is_next },
    { label: 'NotNext', prob: output.nsp.not_next },
  ];
  return (
    <div className="nsp">
      <ol className="prob-bars" data-testid="nsp">
        {rows.map((r) => (
          <li key={r.label} className="prob-row" data-testid={`nsp-${r.label}`}>
            <ProbabilityBar label={r.label} prob={r.prob} />
          </li>
        ))}
      </ol>
      {swap}
    </div>
  );
}
