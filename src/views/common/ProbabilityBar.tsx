// One labelled probability bar: the shared look of MLM candidates, NSP and ViT classes.

import { formatPercent } from './format';

export function ProbabilityBar({ label, prob }: { label: string; prob: number }) {
  return (
    <>
      <span className="prob-label">{label}</span>
      {/* A floor of 0.5% keeps tiny probabilities visible as a sliver rather than nothing. */}
      <span className="prob-bar" aria-hidden style={{ width: `${Math.max(prob * 100, 0.5)}%` }} />
      <span className="prob-value">{formatPercent(prob)}</span>
    </>
  );
}
