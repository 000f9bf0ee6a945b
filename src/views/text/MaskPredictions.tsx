// Masked-word filling: for every [MASK] the model's top-k vocabulary tokens, and, when the
// user masked a known token, the probability of the original and its loss −log p (the quantity
// MLM pretraining minimises, averaged over masked positions).

import { useTranslation } from 'react-i18next';
import { displayToken } from '../../models/token_text';
import type { FullBertOutput, TokenizerKind } from '../../models/types';
import type { MaskOrigin } from '../../stores/masking';
import { useTextStore } from '../../stores';
import { formatPercent } from '../common/format';
import { ProbabilityBar } from '../common/ProbabilityBar';

function OriginalScore({ origin, logProbs, tokenizer }: { origin: MaskOrigin; logProbs: Float32Array; tokenizer: TokenizerKind }) {
  const logP = logProbs[origin.id];
  return (
    <p className="mask-original" data-testid="mask-original">
      Original token <strong>{displayToken(origin.token, tokenizer)}</strong>: p = {formatPercent(Math.exp(logP))}, loss −log p = {(-logP).toFixed(3)}
    </p>
  );
}

export function MaskPredictions({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const { mask_token: mask, tokenizer } = output.encoding;
  const originals = useTextStore((s) => s.originals);
  const fillMask = useTextStore((s) => s.fillMask);
  if (!output.mlm) return <p>This checkpoint has no masked-LM head, so it cannot fill in masks.</p>;
  if (output.mlm.length === 0) return <p>{t('text.mask.none', { mask })}</p>;

  const losses = output.mlm.flatMap((m, i) => (originals[i] ? [-m.log_probs[originals[i].id]] : []));
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
                  aria-label={`${displayToken(c.token, tokenizer)}, ${formatPercent(c.prob)}; put it into the sentence`}
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
          Mean MLM loss over the {losses.length} masked originals: {(losses.reduce((a, b) => a + b, 0) / losses.length).toFixed(3)}
        </p>
      )}
    </div>
  );
}
