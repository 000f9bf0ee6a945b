// Sentence A and the optional sentence B, example pairs, and how many predictions to list.

import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { EXAMPLES, MAX_TOP_K, useAppStore, useTextStore } from '../../stores';

export function SentenceInputs() {
  const { t } = useTranslation();
  const { textA, textB, topK, topKError, setTextA, setTextB, setTopK, loadExample, running } = useTextStore(
    useShallow((s) => ({
      textA: s.textA,
      textB: s.textB,
      topK: s.topK,
      topKError: s.topKError,
      setTextA: s.setTextA,
      setTextB: s.setTextB,
      setTopK: s.setTopK,
      loadExample: s.loadExample,
      running: s.running,
    })),
  );
  // Examples in the UI's language first; the Korean ones need a multilingual vocabulary.
  const language = useAppStore((s) => s.language);
  const groups = (language === 'ko' ? (['ko', 'en'] as const) : (['en', 'ko'] as const)).map((l) => ({
    language: l,
    label: t(l === 'ko' ? 'text.inputs.examplesKorean' : 'text.inputs.examplesEnglish'),
    examples: EXAMPLES.flatMap((example, index) => (example.language === l ? [{ example, index }] : [])),
  }));
  // What the user typed, kept while it is refused so the message next to it makes sense; a new
  // top-k in the store (taken, or from elsewhere) replaces it.
  const [draft, setDraft] = useState({ of: topK, text: String(topK) });
  const draftTopK = draft.of === topK ? draft.text : String(topK);
  const id = useId();
  return (
    <section className="sentence-inputs" aria-label={t('text.inputs.region')}>
      <label htmlFor={`${id}-a`}>{t('text.inputs.a')}</label>
      <textarea id={`${id}-a`} data-testid="sentence-a" rows={2} value={textA} onChange={(e) => setTextA(e.target.value)} />
      <label htmlFor={`${id}-b`}>{t('text.inputs.b')}</label>
      <textarea id={`${id}-b`} data-testid="sentence-b" rows={2} value={textB} onChange={(e) => setTextB(e.target.value)} />
      <div className="input-row">
        <label htmlFor={`${id}-example`}>{t('text.inputs.example')}</label>
        <select
          id={`${id}-example`}
          value=""
          data-testid="example"
          onChange={(e) => {
            const example = EXAMPLES[Number(e.target.value)];
            if (example) loadExample(example);
          }}
        >
          <option value="" disabled>
            {t('text.inputs.choose')}
          </option>
          {groups.map((group) => (
            <optgroup key={group.language} label={group.label} lang={group.language}>
              {group.examples.map(({ example, index }) => (
                <option key={index} value={index}>
                  {example.a}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <label htmlFor={`${id}-topk`}>{t('text.inputs.topK')}</label>
        <input
          id={`${id}-topk`}
          type="number"
          min={1}
          max={MAX_TOP_K}
          value={draftTopK}
          aria-invalid={topKError !== null}
          aria-describedby={topKError ? `${id}-topk-error` : undefined}
          data-testid="top-k"
          onChange={(e) => {
            setDraft({ of: topK, text: e.target.value });
            if (e.target.value !== '') setTopK(Number(e.target.value));
          }}
          onBlur={() => setDraft({ of: topK, text: String(topK) })}
        />
        <span className="run-state" aria-live="polite" data-testid="run-state">
          {running ? t('text.inputs.running') : ''}
        </span>
      </div>
      {topKError && (
        <p id={`${id}-topk-error`} role="alert" className="field-error" data-testid="top-k-error">
          {topKError}
        </p>
      )}
    </section>
  );
}
