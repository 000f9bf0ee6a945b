// The self-supervision lab: how BERT makes its own training labels from raw text, shown on the
// user's text with the loaded model. Masked-LM example, many rolls of it, and a pretraining batch of
// next-sentence pairs; every example is drawn from the seed, so a seed reproduces it exactly.

import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { BATCH_SIZE, useLabStore } from '../../../stores';
import { Panel } from '../../common/Panel';
import { MlmExampleView } from './MlmExampleView';
import { NspBatchView } from './NspBatchView';
import { RollsView } from './RollsView';

export function SelfSupervisionLab() {
  const { t } = useTranslation();
  const s = useLabStore(
    useShallow((s) => ({
      text: s.text,
      seed: s.seed,
      wholeWord: s.wholeWord,
      example: s.example,
      exampleError: s.exampleError,
      batch: s.batch,
      batchError: s.batchError,
      running: s.running,
      setText: s.setText,
      setSeed: s.setSeed,
      reroll: s.reroll,
      setWholeWord: s.setWholeWord,
    })),
  );
  const id = useId();
  return (
    <div className="lab">
      <p className="explain intro">{t('lab.intro')}</p>
      <section className="sentence-inputs" aria-label={t('lab.input')}>
        <label htmlFor={`${id}-text`}>{t('lab.text')}</label>
        <textarea id={`${id}-text`} data-testid="lab-text" rows={3} value={s.text} onChange={(e) => s.setText(e.target.value)} />
        <div className="input-row">
          <label htmlFor={`${id}-seed`}>{t('lab.seed')}</label>
          <input
            id={`${id}-seed`}
            data-testid="lab-seed"
            type="number"
            min={0}
            max={4294967295}
            value={s.seed}
            onChange={(e) => s.setSeed(Number(e.target.value))}
          />
          <button type="button" onClick={s.reroll} aria-label={t('lab.rerollLabel')} data-testid="lab-reroll">
            {t('lab.reroll')}
          </button>
          <label className="inline-option">
            <input type="checkbox" checked={s.wholeWord} onChange={(e) => s.setWholeWord(e.target.checked)} /> {t('lab.wholeWord')}
          </label>
          <span className="run-state" aria-live="polite" data-testid="lab-running">
            {s.running.example || s.running.batch ? t('lab.running') : ''}
          </span>
        </div>
      </section>
      <Panel title={t('lab.mlm.title')} exportName="lab-mlm-example" explain={t('lab.mlm.explain')} data={() => useLabStore.getState().example}>
        {s.exampleError && (
          <p role="alert" className="error-box" data-testid="lab-error">
            {s.exampleError}
          </p>
        )}
        {s.example && <MlmExampleView lab={s.example} />}
        <h3>{t('lab.rolls.title')}</h3>
        <RollsView />
      </Panel>
      <Panel
        title={t('lab.batch.title', { size: BATCH_SIZE })}
        exportName="lab-nsp-batch"
        explain={t('lab.batch.summary')}
        data={() => useLabStore.getState().batch}
      >
        {s.batchError && (
          <p role="alert" className="error-box">
            {s.batchError}
          </p>
        )}
        {s.batch && <NspBatchView batch={s.batch} />}
      </Panel>
    </div>
  );
}
