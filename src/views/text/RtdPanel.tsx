// Replaced-token detection, ELECTRA's pretraining task: for every token the discriminator's
// probability that a generator put it there instead of the original. Most likely first.

import type { FullBertOutput } from '../../models/types';
import { displayToken } from '../../models/token_text';
import { ProbabilityBar } from '../common/ProbabilityBar';

export function RtdPanel({ output }: { output: FullBertOutput }) {
  const { rtd, encoding } = output;
  if (!rtd) return null;
  const rows = encoding.tokens
    .map((token, p) => ({ p, token: displayToken(token, encoding.tokenizer), prob: rtd.data[p] }))
    .filter((r) => encoding.segment[r.p] >= 0)
    .sort((x, y) => y.prob - x.prob);
  return (
    <ol className="prob-bars" data-testid="rtd">
      {rows.map((r) => (
        <li key={r.p} className="prob-row" data-testid="rtd-row">
          <ProbabilityBar label={`${r.token} (${r.p})`} prob={r.prob} />
        </li>
      ))}
    </ol>
  );
}
