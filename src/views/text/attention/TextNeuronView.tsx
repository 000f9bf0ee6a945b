// The neuron view of the text workspace: one head of one layer, for the query token the user picks,
// from the queries and keys of the same run (requested only while this view is open).

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { neuronView } from '../../../analysis/neuron';
import type { FullBertOutput } from '../../../models/types';
import { useTextStore } from '../../../stores';
import { NeuronView } from '../../common/NeuronView';

/** The neuron view's head: a number, even while the other views show the average of the heads. */
export const neuronHead = (head: number | 'mean') => (head === 'mean' ? 0 : head);

export function TextNeuronView({ output, layer, head, query }: { output: FullBertOutput; layer: number; head: number; query: number }) {
  const { t } = useTranslation();
  const setAttention = useTextStore((s) => s.setAttention);
  const { queries_keys: qk, attentions, encoding } = output;
  const numbers = useMemo(() => (qk ? neuronView(qk, layer, head, query) : null), [qk, layer, head, query]);
  if (!numbers) return <p className="explain">{t('neuron.reading')}</p>;
  const seq = encoding.tokens.length;
  const row = attentions[layer].data.subarray((head * seq + query) * seq, (head * seq + query + 1) * seq);
  return <NeuronView numbers={numbers} labels={encoding.tokens} query={query} attention={row} onPickQuery={(q) => setAttention({ query: q })} />;
}
