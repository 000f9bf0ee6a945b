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

const VIEWS: AttentionView[] = ['head', 'model', 'matrix', 'rollout', 'neuron'];

export function AttentionPanel({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const { attention, setAttention } = useTextStore(useShallow((s) => ({ attention: s.attention, setAttention: s.setAttention })));
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
  const headName = head === 'mean' ? t('attention.average') : t('attention.headN', { n: head + 1 });

  const controls = (
    <>
      <div role="radiogroup" aria-label={t('attention.views.label')} className="segmented">
        {VIEWS.map((v) => (
          <label key={v}>
            <input type="radio" name={`${id}-view`} checked={view === v} onChange={() => setAttention({ view: v })} />
            {t(`attention.views.${v}`)}
          </label>
        ))}
      </div>
      {usesLayer && (
        <label>
          {t('attention.layer')}{' '}
          <select value={layer} onChange={(e) => setAttention({ layer: Number(e.target.value) })} data-testid="attention-layer">
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
            data-testid="attention-head"
          >
            {view === 'matrix' && <option value="mean">{t('attention.average')}</option>}
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
          <select value={query} onChange={(e) => setAttention({ query: Number(e.target.value) })} data-testid="neuron-query">
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
          <input type="checkbox" checked={hideSpecial} onChange={(e) => setAttention({ hideSpecial: e.target.checked })} /> {t('attention.hideSpecial')}
        </label>
      )}
    </>
  );

  return (
    <Panel
      title={t('attention.title')}
      exportName={`attention-${view}`}
      explain={
        <>
          {t(`attention.explain.${view}`)}
          {hideSpecial && view !== 'neuron' && ` ${t('attention.hidden')}`}
        </>
      }
      controls={controls}
      data={() =>
        view === 'model' || view === 'head'
          ? { view, layer, hideSpecial, tokens: output.encoding.tokens, attentions: output.attentions }
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
          {t('attention.rolloutFailed', { message: rollout.error })}
        </p>
      )}
      {view === 'rollout' && !shown && !rollout.error && <p className="explain">{t('attention.computingRollout')}</p>}
      {(view === 'matrix' || view === 'rollout') && shown && (
        <div data-testid="attention-matrix" aria-busy={view === 'rollout' && rollout.pending}>
          <Heatmap
            data={shown.matrix.data}
            rows={shown.labels.length}
            cols={shown.labels.length}
            rowLabels={shown.labels}
            colLabels={shown.labels}
            ariaLabel={view === 'rollout' ? t('attention.rolloutLabel') : t('attention.matrixLabel', { layer: layer + 1, head: headName })}
            width="min(100%, 640px)"
          />
        </div>
      )}
    </Panel>
  );
}
