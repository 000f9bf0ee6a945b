// The attention views of the text workspace: head view, model view, one matrix (a head or the
// head average), attention rollout over all layers, and the neuron view of one head and token.

import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { neuronView } from '../../../analysis/neuron';
import type { FullBertOutput } from '../../../models/types';
import { useTextStore, type AttentionView } from '../../../stores';
import { Heatmap } from '../../common/Heatmap';
import { Panel } from '../../common/Panel';
import { useAnalysis } from '../../../stores/analysis';
import { restrict, shownAttention, TEXT_ROLLOUT } from '../attentionData';
import { HeadView } from './HeadView';
import { ModelView } from './ModelView';
import { neuronHead, TextNeuronView } from './TextNeuronView';

const VIEWS: { id: AttentionView; label: string }[] = [
  { id: 'head', label: 'Head view' },
  { id: 'model', label: 'Model view' },
  { id: 'matrix', label: 'Matrix' },
  { id: 'rollout', label: 'Rollout' },
];

const EXPLAIN: Record<Exclude<AttentionView, 'neuron'>, string> = {
  head: 'Each line joins a token (left) to a token it attends to (right) in one layer; the more opaque, the larger the softmax weight. Colours are heads. Hover a token to see only its lines.',
  model: 'All layers (rows) and heads (columns) as small matrices: row = attending token, column = attended token, each row scaled to its maximum. Click one to open it.',
  matrix: 'One head (or the average over the heads) of one layer. Row i shows how token i spreads its attention over all tokens; every row sums to 1.',
  rollout:
    'Attention rollout (Abnar & Zuidema, 2020): the layers\u2019 head-averaged attention, each mixed half-and-half with the identity for the residual connection, multiplied from the first layer up. Row i estimates how much output token i draws from each input token.',
};

export function AttentionPanel({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const { attention, setAttention } = useTextStore(useShallow((s) => ({ attention: s.attention, setAttention: s.setAttention })));
  const views = [...VIEWS, { id: 'neuron' as const, label: t('attention.views.neuron') }];
  const id = useId();
  const layers = output.attentions.length;
  const heads = output.attentions[0]?.shape[0] ?? 0;
  const { view, layer, head, hideSpecial, query } = attention;
  // Rollout multiplies every layer's matrix: the analysis worker computes it, off the page's thread.
  const rolloutArgs = useMemo(() => (view === 'rollout' ? { attentions: output.attentions, options: TEXT_ROLLOUT } : null), [view, output]);
  const rollout = useAnalysis('rollout', rolloutArgs, ['attentions']);
  const shown = useMemo(() => {
    if (view !== 'rollout') return shownAttention(output, attention);
    return rollout.value && rollout.input?.attentions === output.attentions ? restrict(output, rollout.value, hideSpecial) : null;
  }, [view, output, attention, rollout.value, rollout.input, hideSpecial]);
  const usesLayer = view === 'head' || view === 'matrix' || view === 'neuron';

  const controls = (
    <>
      <div role="radiogroup" aria-label="Attention view" className="segmented">
        {views.map((v) => (
          <label key={v.id}>
            <input type="radio" name={`${id}-view`} checked={view === v.id} onChange={() => setAttention({ view: v.id })} />
            {v.label}
          </label>
        ))}
      </div>
      {usesLayer && (
        <label>
          Layer{' '}
          <select value={layer} onChange={(e) => setAttention({ layer: Number(e.target.value) })}>
            {Array.from({ length: layers }, (_, l) => (
              <option key={l} value={l}>
                {l + 1}
              </option>
            ))}
          </select>
        </label>
      )}
      {(view === 'matrix' || view === 'neuron') && (
        <label>
          {t('attention.head')}{' '}
          {/* The neuron view follows one head: it has no average. */}
          <select
            value={view === 'neuron' ? neuronHead(head) : head}
            onChange={(e) => setAttention({ head: e.target.value === 'mean' ? 'mean' : Number(e.target.value) })}
          >
            {view === 'matrix' && <option value="mean">average of heads</option>}
            {Array.from({ length: heads }, (_, h) => (
              <option key={h} value={h}>
                {h + 1}
              </option>
            ))}
          </select>
        </label>
      )}
      {view === 'neuron' && (
        <label>
          {t('attention.query')}{' '}
          <select value={query} onChange={(e) => setAttention({ query: Number(e.target.value) })}>
            {output.encoding.tokens.map((token, p) => (
              <option key={p} value={p}>
                {p} {token}
              </option>
            ))}
          </select>
        </label>
      )}
      {view !== 'neuron' && (
        <label>
          <input type="checkbox" checked={hideSpecial} onChange={(e) => setAttention({ hideSpecial: e.target.checked })} /> hide [CLS]/[SEP]
        </label>
      )}
    </>
  );

  return (
    <Panel
      title="Attention"
      exportName={`attention-${view}`}
      explain={
        <>
          {view === 'neuron' ? t('attention.explain.neuron') : EXPLAIN[view]}
          {hideSpecial && view !== 'neuron' && ' [CLS] and [SEP] are hidden and every row is rescaled to sum to 1 over the tokens still shown.'}
        </>
      }
      controls={controls}
      data={() =>
        view === 'model' || view === 'head'
          ? { tokens: output.encoding.tokens, attentions: output.attentions }
          : view === 'neuron'
            ? { view, layer, head: neuronHead(head), query, tokens: output.encoding.tokens, neuron: output.queries_keys && neuronView(output.queries_keys, layer, neuronHead(head), query) }
            : { view, layer, head, hideSpecial, tokens: shown?.labels, positions: shown?.positions, matrix: shown?.matrix }
      }
    >
      {view === 'head' && <HeadView key={`${layer}-${heads}`} output={output} layer={layer} hideSpecial={hideSpecial} />}
      {view === 'model' && <ModelView output={output} hideSpecial={hideSpecial} onOpen={setAttention} />}
      {view === 'neuron' && <TextNeuronView output={output} layer={layer} head={neuronHead(head)} query={query} />}
      {view === 'rollout' && rollout.error && (
        <p role="alert" className="error-box">
          Rollout failed: {rollout.error}
        </p>
      )}
      {view === 'rollout' && !shown && !rollout.error && <p className="explain">Computing the rollout…</p>}
      {(view === 'matrix' || view === 'rollout') && shown && (
        <div data-testid="attention-matrix" aria-busy={view === 'rollout' && rollout.pending}>
          <Heatmap
            data={shown.matrix.data}
            rows={shown.labels.length}
            cols={shown.labels.length}
            rowLabels={shown.labels}
            colLabels={shown.labels}
            ariaLabel={view === 'rollout' ? 'Attention rollout' : `Attention of layer ${layer + 1}, ${head === 'mean' ? 'average of heads' : `head ${head + 1}`}`}
            width="min(100%, 640px)"
          />
        </div>
      )}
    </Panel>
  );
}
