// Every layer × head at once as small attention matrices (rows attend to columns), to spot
// patterns such as "attend to the previous token" or "attend to [SEP]". Clicking one opens it.

import { useEffect, useMemo, useRef } from 'react';
import type { FullBertOutput, NdArray } from '../../../models/types';
import type { AttentionOptions } from '../../../stores';
import { rowScaledRgba } from '../../common/colors';
import { restrict } from '../attentionData';
import { headOf } from '../../../analysis/ndarray';

function Thumbnail({ matrix }: { matrix: NdArray }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const n = matrix.shape[0];
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    // Each row scaled to its own maximum, as the full-size views do not: thumbnails are for shape.
    context.putImageData(new ImageData(rowScaledRgba(matrix.data, n, n), n, n), 0, 0);
  }, [matrix, n]);
  return <canvas ref={ref} width={n} height={n} className="thumbnail" />;
}

interface Props {
  output: FullBertOutput;
  hideSpecial: boolean;
  onOpen: (patch: Partial<AttentionOptions>) => void;
}

export function ModelView({ output, hideSpecial, onOpen }: Props) {
  const heads = output.attentions[0].shape[0];
  const matrices = useMemo(
    () => output.attentions.map((attention) => Array.from({ length: heads }, (_, h) => restrict(output, headOf(attention, h), hideSpecial).matrix)),
    [output, heads, hideSpecial],
  );
  return (
    <div className="model-view" data-testid="model-view" style={{ gridTemplateColumns: `auto repeat(${heads}, minmax(28px, 96px))` }}>
      <span />
      {Array.from({ length: heads }, (_, h) => (
        <span key={h} className="axis-label">
          head {h + 1}
        </span>
      ))}
      {matrices.map((layerMatrices, layer) => [
        <span key={`l${layer}`} className="axis-label">
          layer {layer + 1}
        </span>,
        ...layerMatrices.map((matrix, h) => (
          <button
            key={`${layer}-${h}`}
            type="button"
            className="thumbnail-button"
            aria-label={`Open layer ${layer + 1} head ${h + 1}`}
            onClick={() => onOpen({ view: 'matrix', layer, head: h })}
          >
            <Thumbnail matrix={matrix} />
          </button>
        )),
      ])}
    </div>
  );
}
