// The classifier's five most probable classes, as bars.

import type { ClassProbability } from '../../models/types';
import { ProbabilityBar } from '../common/ProbabilityBar';

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
