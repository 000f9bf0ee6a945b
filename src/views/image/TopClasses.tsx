// The classifier's five most probable classes, as bars.

import type { ClassProbability } from '../../models/types';
import { formatPercent } from '../common/format';

export function TopClasses({ top }: { top: ClassProbability[] }) {
  return (
    <ol className="top-classes" data-testid="top-classes">
      {top.map((c) => (
        <li key={c.id}>
          <span className="class-label">{c.label}</span>
          <span className="class-bar" aria-hidden>
            <span style={{ width: `${c.prob * 100}%` }} />
          </span>
          <span className="class-prob">{formatPercent(c.prob)}</span>
        </li>
      ))}
    </ol>
  );
}
