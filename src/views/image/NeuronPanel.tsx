// The neuron view of the image workspace: for the layer, head and query patch (or [CLS]) chosen,
// how the head turns the query's query vector and every token's key vector into that token's
// attention. Closed by default: while it is open, runs also read back every layer's queries and keys.

import { useMemo } from 'react';
import { neuronView } from '../../analysis/neuron';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { NeuronView } from '../common/NeuronView';
import { Panel } from '../common/Panel';
import { formatPercent } from '../common/format';
import { LayerHeadControls } from './LayerHeadControls';
import { PatchMap } from './PatchMap';
import { layerLabel } from './vitData';

const TEXT = {
  title: 'Neuron view',
  explain:
    'How one head computes one token\u2019s attention (after BertViz): the query token\u2019s query vector q is multiplied elementwise with every token\u2019s key vector k; each product summed is the dot product q·k, divided by √d (d = head size) and passed through a softmax over all tokens. Pick the query by clicking a patch, or use [CLS]. The queries and keys come from the same forward pass as the attention maps.',
  open: 'Show the neuron view',
  closed: 'Opening it re-runs the image and reads back every layer\u2019s queries and keys as well.',
  reading: 'Reading the queries and keys of this image…',
  useCls: 'Query: [CLS]',
  head: 'Head',
  map: (label: string, where: string, cls: number) => `softmax row of ${label} over the patches · ${where} · to [CLS]: ${formatPercent(cls)}`,
};

export function ImageNeuronPanel({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
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
  const [, cols] = output.grid;
  const labels = useMemo(
    () => ['[CLS]', ...Array.from({ length: output.grid[0] * cols }, (_, p) => `patch ${p} (${Math.floor(p / cols) + 1},${(p % cols) + 1})`)],
    [output.grid, cols],
  );
  const seq = labels.length;
  const where = `${layerLabel(layer)}, head ${h + 1}`;

  const controls = (
    <>
      <label>
        <input type="checkbox" checked={neuron} onChange={(e) => setNeuron(e.target.checked)} /> {TEXT.open}
      </label>
      {neuron && (
        <>
          <LayerHeadControls layers={output.attentions.length} heads={heads} withHead={false} />
          <label>
            {TEXT.head}{' '}
            <select value={h} onChange={(e) => setHead(Number(e.target.value))} data-testid="neuron-head">
              {Array.from({ length: heads }, (_, i) => (
                <option key={i} value={i}>
                  head {i + 1}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => setPatch(null)} disabled={patch === null}>
            {TEXT.useCls}
          </button>
        </>
      )}
    </>
  );

  return (
    <Panel
      title={TEXT.title}
      exportName="vit-neuron"
      explain={TEXT.explain}
      controls={controls}
      data={() => ({ layer, head: h, query, tokens: labels, neuron: numbers })}
    >
      {!neuron && <p className="explain">{TEXT.closed}</p>}
      {neuron && !numbers && <p className="explain">{TEXT.reading}</p>}
      {neuron && numbers && (
        <>
          <figure className="neuron-map">
            <PatchMap
              values={Float32Array.from(numbers.weights.subarray(1))}
              grid={output.grid}
              underlay={pixels}
              ariaLabel={`Softmax row of ${labels[query]} over the patches, ${where}`}
              selectedPatch={patch}
              onPatchClick={setPatch}
            />
            <figcaption>{TEXT.map(labels[query], where, numbers.weights[0])}</figcaption>
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
