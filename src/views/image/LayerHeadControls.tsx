// Layer and head selectors shared by the attention views.

import { useImageStore } from '../../stores';
import { layerLabel } from './vitData';

export function LayerHeadControls({ layers, heads, withHead = true }: { layers: number; heads: number; withHead?: boolean }) {
  const layer = useImageStore((s) => s.layer);
  const head = useImageStore((s) => s.head);
  const setLayer = useImageStore((s) => s.setLayer);
  const setHead = useImageStore((s) => s.setHead);
  return (
    <>
      <label>
        Layer{' '}
        <select value={layer} onChange={(e) => setLayer(Number(e.target.value))} data-testid="layer-select">
          {Array.from({ length: layers }, (_, l) => (
            <option key={l} value={l}>
              {layerLabel(l)}
            </option>
          ))}
        </select>
      </label>
      {withHead && (
        <label>
          Head{' '}
          <select
            value={String(head)}
            onChange={(e) => setHead(e.target.value === 'mean' ? 'mean' : (Number(e.target.value)))}
            data-testid="head-select"
          >
            <option value="mean">mean of heads</option>
            {Array.from({ length: heads }, (_, h) => (
              <option key={h} value={h}>
                head {h + 1}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
