// Sentence A and the optional sentence B, example pairs, and how many predictions to list.

import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EXAMPLES, useTextStore } from '../../stores';

export function SentenceInputs() {
  const { textA, textB, topK, setTextA, setTextB, setTopK, loadExample, running } = useTextStore(
    useShallow((s) => ({
      textA: s.textA,
      textB: s.textB,
      topK: s.topK,
      setTextA: s.setTextA,
      setTextB: s.setTextB,
      setTopK: s.setTopK,
      loadExample: s.loadExample,
      running: s.running,
    })),
  );
  const id = useId();
  return (
    <section className="sentence-inputs" aria-label="Input sentences">
      <label htmlFor={`${id}-a`}>Sentence A</label>
      <textarea id={`${id}-a`} data-testid="sentence-a" rows={2} value={textA} onChange={(e) => setTextA(e.target.value)} />
      <label htmlFor={`${id}-b`}>Sentence B (optional, for next-sentence prediction)</label>
      <textarea id={`${id}-b`} data-testid="sentence-b" rows={2} value={textB} onChange={(e) => setTextB(e.target.value)} />
      <div className="input-row">
        <label htmlFor={`${id}-example`}>Example</label>
        <select
          id={`${id}-example`}
          value=""
          onChange={(e) => {
            const example = EXAMPLES[Number(e.target.value)];
            if (example) loadExample(example);
          }}
        >
          <option value="" disabled>
            choose…
          </option>
          {EXAMPLES.map((ex, i) => (
            <option key={ex.a} value={i}>
              {ex.a}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-topk`}>Predictions per mask</label>
        <input
          id={`${id}-topk`}
          type="number"
          min={1}
          max={20}
          value={topK}
          onChange={(e) => {
            const k = Number(e.target.value);
            if (Number.isInteger(k) && k >= 1 && k <= 20) setTopK(k);
          }}
        />
        <span className="run-state" aria-live="polite" data-testid="run-state">
          {running ? 'running…' : ''}
        </span>
      </div>
    </section>
  );
}
