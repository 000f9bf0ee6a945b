// A small line chart of one quantity against the training step, for the live training curves.

import { formatNumber } from '../../common/format';

const [WIDTH, HEIGHT, PAD] = [280, 120, 44];

interface Props {
  title: string;
  points: { x: number; y: number }[];
  /** Fixed y range (e.g. [0, 1] for accuracy); by default the data's. */
  domain?: [number, number];
  /** A horizontal reference line, e.g. the structure target. */
  reference?: number;
  digits?: number;
  testId: string;
}

export function Curve({ title, points, domain, reference, digits = 2, testId }: Props) {
  const ys = points.map((p) => p.y).concat(reference ?? []);
  const [lo, hi] = domain ?? [Math.min(...ys), Math.max(...ys)];
  const span = hi - lo || 1;
  const xMax = Math.max(1, ...points.map((p) => p.x));
  const sx = (x: number) => PAD + (x / xMax) * (WIDTH - PAD - 4);
  const sy = (y: number) => 4 + (1 - (y - lo) / span) * (HEIGHT - PAD);
  const last = points[points.length - 1];
  return (
    <figure className="curve" data-testid={testId}>
      <figcaption>
        {title}: <strong data-testid={`${testId}-value`}>{last ? formatNumber(last.y, digits) : '–'}</strong>
      </figcaption>
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label={title}>
        <line x1={PAD} y1={4} x2={PAD} y2={HEIGHT - PAD + 4} className="axis" />
        <line x1={PAD} y1={HEIGHT - PAD + 4} x2={WIDTH - 4} y2={HEIGHT - PAD + 4} className="axis" />
        <text x={PAD - 4} y={10} textAnchor="end" className="tick">
          {formatNumber(hi, digits)}
        </text>
        <text x={PAD - 4} y={HEIGHT - PAD + 4} textAnchor="end" className="tick">
          {formatNumber(lo, digits)}
        </text>
        <text x={WIDTH - 4} y={HEIGHT - 8} textAnchor="end" className="tick">
          {formatNumber(xMax, 0)}
        </text>
        {reference !== undefined && <line x1={PAD} x2={WIDTH - 4} y1={sy(reference)} y2={sy(reference)} className="reference" />}
        {points.length > 1 && <polyline fill="none" className="series" points={points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')} />}
      </svg>
    </figure>
  );
}
