// Masked-word filling: for every [MASK] the model's top-k vocabulary tokens, and, when the
// user masked a known token, the probability of the original and its loss −log p (the quantity
// MLM pretraining minimises, averaged over masked positions).

import { Trans, useTranslation } from 'react-i18next';
import { displayToken } from '../../models/token_text';
import type { FullBertOutput, TokenizerKind } from '../../models/types';
import type { MaskOrigin } from '../../stores/masking';
import { useTextStore } from '../../stores';
import { formatNumber, formatPercent } from '../common/format';
import { ProbabilityBar } from '../common/ProbabilityBar';

function OriginalScore({ origin, logProbs, tokenizer }: { origin: MaskOrigin; logProbs: Float32Array; tokenizer: TokenizerKind }) {
  const logP = logProbs[origin.id];
  // An original from a shared link may lie outside another model's vocabulary: no score then.
  if (logP === undefined) return null;
  return (
    <p className="mask-original" data-testid="mask-original">
      <Trans
        i18nKey="text.mlm.original"
        values={{ token: displayToken(origin.token, tokenizer), p: formatPercent(Math.exp(logP)), loss: formatNumber(-logP, 3) }}
        components={{ strong: <strong /> }}
      />
    </p>
  );
}

export function MaskPredictions({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const { mask_token: mask, tokenizer } = output.encoding;
  const originals = useTextStore((s) => s.originals);
  const fillMask = useTextStore((s) => s.fillMask);
  if (!output.mlm) return <p>{t('text.mlm.noHead')}</p>;
  if (output.mlm.length === 0) return <p>{t('text.mask.none', { mask })}</p>;

  const losses = output.mlm.flatMap((m, i) => {
    const logP = originals[i] ? m.log_probs[originals[i].id] : undefined;
    return logP === undefined ? [] : [-logP];
  });
  return (
    <div className="mask-predictions">
      {output.mlm.map((m, i) => (
        <figure key={m.position} className="mask-result" data-testid="mask-result">
          <figcaption>{t('text.mask.at', { mask, position: m.position })}</figcaption>
          {originals[i] && <OriginalScore origin={originals[i]} logProbs={m.log_probs} tokenizer={tokenizer} />}
          <ol className="prob-bars">
            {m.top.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className="prob-row"
                  data-testid="prediction"
                  onClick={() => fillMask(i, c.token)}
                  aria-label={t('text.mlm.putIn', { token: displayToken(c.token, tokenizer), p: formatPercent(c.prob) })}
                >
                  <ProbabilityBar label={displayToken(c.token, tokenizer)} prob={c.prob} />
                </button>
              </li>
            ))}
          </ol>
        </figure>
      ))}
      {losses.length > 1 && (
        <p data-testid="mlm-loss">
          {t('text.mlm.meanLoss', { count: losses.length, loss: formatNumber(losses.reduce((a, b) => a + b, 0) / losses.length, 3) })}
        </p>
      )}
    </div>
  );
}
