// The self-supervision lab: how BERT makes its own training labels from raw text, shown on the
// user's text with the loaded model. Masked-LM example, many rolls of it, and a pretraining batch of
// next-sentence pairs; every example is drawn from the seed, so a seed reproduces it exactly.

import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { BATCH_SIZE, useLabStore } from '../../../stores';
import { Panel } from '../../common/Panel';
import { MlmExampleView } from './MlmExampleView';
import { NspBatchView } from './NspBatchView';
import { RollsView } from './RollsView';

const TEXT = {
  intro:
    'Nobody labelled BERT\u2019s training data. It makes its own labels from raw text: it hides some words and learns to predict them (masked language modelling, MLM), and it pairs sentences and learns to tell whether the second one really came next (next-sentence prediction, NSP). Type some text and see one training example made from it, step by step, and what the model loaded above answers.',
  text: 'Your text (a few sentences)',
  seed: 'Seed',
  reroll: 'Re-roll',
  rerollLabel: 'Re-roll: the next seed',
  wholeWord: 'whole-word masking (choose whole words, not word pieces)',
  running: 'running…',
  mlmTitle: 'Masked-LM example',
  mlmExplain:
    'One training example: 15 % of the tokens are chosen; of those, 80 % become [MASK], 10 % a random token and 10 % stay as they are. Only the chosen positions carry a label (the original token), and the loss is the mean cross-entropy over them. The same seed always gives the same example.',
  batchTitle: `Next-sentence pairs: a pretraining batch of ${BATCH_SIZE}`,
  batchExplain: 'Half IsNext, half NotNext, drawn from the seed; accuracy and losses of the loaded model on them.',
  rollsTitle: 'Many rolls',
};

export function SelfSupervisionLab() {
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
      <p className="explain intro">{TEXT.intro}</p>
      <section className="sentence-inputs" aria-label="Lab input">
        <label htmlFor={`${id}-text`}>{TEXT.text}</label>
        <textarea id={`${id}-text`} data-testid="lab-text" rows={3} value={s.text} onChange={(e) => s.setText(e.target.value)} />
        <div className="input-row">
          <label htmlFor={`${id}-seed`}>{TEXT.seed}</label>
          <input
            id={`${id}-seed`}
            data-testid="lab-seed"
            type="number"
            min={0}
            max={4294967295}
            value={s.seed}
            onChange={(e) => s.setSeed(Number(e.target.value))}
          />
          <button type="button" onClick={s.reroll} aria-label={TEXT.rerollLabel} data-testid="lab-reroll">
            {TEXT.reroll}
          </button>
          <label className="inline-option">
            <input type="checkbox" checked={s.wholeWord} onChange={(e) => s.setWholeWord(e.target.checked)} /> {TEXT.wholeWord}
          </label>
          <span className="run-state" aria-live="polite" data-testid="lab-running">
            {s.running.example || s.running.batch ? TEXT.running : ''}
          </span>
        </div>
      </section>
      <Panel title={TEXT.mlmTitle} exportName="lab-mlm-example" explain={TEXT.mlmExplain} data={() => useLabStore.getState().example}>
        {s.exampleError && (
          <p role="alert" className="error-box" data-testid="lab-error">
            {s.exampleError}
          </p>
        )}
        {s.example && <MlmExampleView lab={s.example} />}
        <h3>{TEXT.rollsTitle}</h3>
        <RollsView />
      </Panel>
      <Panel title={TEXT.batchTitle} exportName="lab-nsp-batch" explain={TEXT.batchExplain} data={() => useLabStore.getState().batch}>
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
