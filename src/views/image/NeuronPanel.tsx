// The neuron view of the image workspace: for the layer, head and query patch (or [CLS]) chosen,
// how the head turns the query's query vector and every token's key vector into that token's
// attention. Closed by default: while it is open, runs also read back every layer's queries and keys.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { neuronView } from '../../analysis/neuron';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { NeuronView } from '../common/NeuronView';
import { Panel } from '../common/Panel';
import { formatPercent } from '../common/format';
import { LayerHeadControls } from './LayerHeadControls';
import { PatchMap } from './PatchMap';

export function ImageNeuronPanel({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
  const { t } = useTranslation();
  const neuron = useImageStore((s) => s.neuron);
  const setNeuron = useImageStore((s) => s.setNeuron);
  const layer = useImageStore((s) => s.layer);
  const head = useImageStore((s) => s.head);
  const setHead = useImageStore((s) => s.setHead);
  const patch = useImageStore((s) => s.patch);
  const setPatch = useImageStore((s) => s.setPatch);
  const heads = output.attentions[0].shape[0];
  // The neuron view follows one head; while the other views average the heads it shows the first.
  const h = head === 'mean' ? 0 : head;
  const query = patch === null ? 0 : 1 + patch;
  const qk = output.queries_keys;
  const numbers = useMemo(() => (qk ? neuronView(qk, layer, h, query) : null), [qk, layer, h, query]);
  const [rows, cols] = output.grid;
  const labels = useMemo(
    () => ['[CLS]', ...Array.from({ length: rows * cols }, (_, n) => t('neuron.image.patch', { n, row: Math.floor(n / cols) + 1, col: (n % cols) + 1 }))],
    [rows, cols, t],
  );
  const seq = labels.length;
  const where = t('neuron.image.where', { layer: layer + 1, head: h + 1 });

  const controls = (
    <>
      <label>
        <input type="checkbox" checked={neuron} onChange={(e) => setNeuron(e.target.checked)} /> {t('neuron.image.open')}
      </label>
      {neuron && (
        <>
          <LayerHeadControls layers={output.attentions.length} heads={heads} withHead={false} />
          <label>
            {t('attention.head')}{' '}
            <select value={h} onChange={(e) => setHead(Number(e.target.value))} data-testid="neuron-head">
              {Array.from({ length: heads }, (_, i) => (
                <option key={i} value={i}>
                  {t('neuron.image.headN', { n: i + 1 })}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => setPatch(null)} disabled={patch === null}>
            {t('neuron.image.useCls')}
          </button>
        </>
      )}
    </>
  );

  return (
    <Panel
      title={t('neuron.image.title')}
      exportName="vit-neuron"
      explain={t('neuron.image.explain')}
      controls={controls}
      data={() => ({ layer, head: h, query, tokens: labels, neuron: numbers })}
    >
      {!neuron && <p className="explain">{t('neuron.image.closed')}</p>}
      {neuron && !numbers && <p className="explain">{t('neuron.image.reading')}</p>}
      {neuron && numbers && (
        <>
          <figure className="neuron-map">
            <PatchMap
              values={Float32Array.from(numbers.weights.subarray(1))}
              grid={output.grid}
              underlay={pixels}
              ariaLabel={t('neuron.image.mapLabel', { query: labels[query], where })}
              selectedPatch={patch}
              onPatchClick={setPatch}
            />
            <figcaption>{t('neuron.image.map', { query: labels[query], where, cls: formatPercent(numbers.weights[0]) })}</figcaption>
          </figure>
          <NeuronView
            numbers={numbers}
            labels={labels}
            query={query}
            attention={output.attentions[layer].data.subarray((h * seq + query) * seq, (h * seq + query + 1) * seq)}
            onPickQuery={(token) => setPatch(token === 0 ? null : token - 1)}
          />
        </>
      )}
    </Panel>
  );
}
