// Layer and head selectors shared by the attention views.

import { useTranslation } from 'react-i18next';
import { useImageStore } from '../../stores';
import { headLabel, layerLabel } from './vitData';

export function LayerHeadControls({ layers, heads, withHead = true }: { layers: number; heads: number; withHead?: boolean }) {
  const { t } = useTranslation();
  const layer = useImageStore((s) => s.layer);
  const head = useImageStore((s) => s.head);
  const setLayer = useImageStore((s) => s.setLayer);
  const setHead = useImageStore((s) => s.setHead);
  return (
    <>
      <label>
        {t('image.layerLabel')}{' '}
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
          {t('image.headLabel')}{' '}
          <select
            value={String(head)}
            onChange={(e) => setHead(e.target.value === 'mean' ? 'mean' : (Number(e.target.value)))}
            data-testid="head-select"
          >
            <option value="mean">{headLabel('mean')}</option>
            {Array.from({ length: heads }, (_, h) => (
              <option key={h} value={h}>
                {headLabel(h)}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
