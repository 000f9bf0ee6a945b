// Sentence-order prediction, ALBERT's second pretraining task in place of BERT's NSP: are A and B
// two consecutive sentences in their original order, or swapped? Swapping them shows the contrast.

import { useTranslation } from 'react-i18next';
import type { FullBertOutput } from '../../models/types';
import { useTextStore } from '../../stores';
import { ProbabilityBar } from '../common/ProbabilityBar';

export function SopPanel({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const swapSentences = useTextStore((s) => s.swapSentences);
  if (!output.sop) return null;
  if (!output.encoding.segment.includes(1)) return <p>{t('text.sop.needB')}</p>;
  const rows = [
    { key: 'in-order', label: t('text.sop.inOrder'), prob: output.sop.in_order },
    { key: 'swapped', label: t('text.sop.swapped'), prob: output.sop.swapped },
  ];
  return (
    <div className="nsp">
      <ol className="prob-bars" data-testid="sop">
        {rows.map((r) => (
          <li key={r.key} className="prob-row" data-testid={`sop-${r.key}`}>
            <ProbabilityBar label={r.label} prob={r.prob} />
          </li>
        ))}
      </ol>
      <button type="button" onClick={swapSentences}>
        {t('text.sop.swap')}
      </button>
    </div>
  );
}
