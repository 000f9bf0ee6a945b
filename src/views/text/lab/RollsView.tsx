// Many rolls of the same text: how the chosen tokens split into [MASK], random and unchanged, and
// how often the model still recovers the original in each case. One example shows a handful of
// positions; a few hundred rolls show the rates.

import type { Corruption } from '../../../analysis/pretraining';
import { MASK_FRACTION, RANDOM_FRACTION } from '../../../analysis/pretraining';
import { ROLLS, useLabStore } from '../../../stores';
import { formatPercent } from '../../common/format';
import { KIND_TEXT } from './MlmExampleView';

const EXPECTED: Record<Corruption, number> = { mask: MASK_FRACTION, random: RANDOM_FRACTION, keep: 1 - MASK_FRACTION - RANDOM_FRACTION };

const TEXT = {
  button: (from: number) => `Roll ${ROLLS} examples (seeds ${from} to ${from + ROLLS - 1})`,
  progress: (done: number) => `${done} of ${ROLLS} examples`,
  chosen: (chosen: number, candidates: number) =>
    `Chosen: ${chosen} of ${candidates} candidate tokens (${formatPercent(chosen / candidates)}; the recipe asks for 15 %, rounded per example).`,
  headers: ['model input at a chosen position', 'positions', 'share', 'recipe', 'top prediction = original', 'mean loss'],
  explain:
    'Each roll is a new example of the same text (the next seed). Positions left unchanged are usually the easiest: the answer is in the input, and the model learned to trust what it reads. Random tokens are the hardest: the model must notice that the word does not fit and guess the original from the context.',
};

export function RollsView() {
  const rolls = useLabStore((s) => s.rolls);
  const seed = useLabStore((s) => s.seed);
  const roll = useLabStore((s) => s.roll);
  const busy = rolls !== null && rolls.done < rolls.rolls && !rolls.error;
  const kinds: Corruption[] = ['mask', 'random', 'keep'];
  return (
    <div className="lab-rolls">
      <button type="button" onClick={() => void roll()} disabled={busy}>
        {TEXT.button(seed)}
      </button>
      {rolls && (
        <>
          <progress value={rolls.done} max={rolls.rolls} aria-label={TEXT.progress(rolls.done)} />{' '}
          <span data-testid="rolls-done" data-done={rolls.done}>
            {TEXT.progress(rolls.done)}
          </span>
          {rolls.error && (
            <p role="alert" className="error-box">
              {rolls.error}
            </p>
          )}
          {rolls.chosen > 0 && (
            <>
              <p data-testid="rolls-chosen" data-chosen={rolls.chosen} data-candidates={rolls.candidates}>
                {TEXT.chosen(rolls.chosen, rolls.candidates)}
              </p>
              <div className="table-scroll">
                <table className="numbers">
                  <thead>
                    <tr>
                      {TEXT.headers.map((h) => (
                        <th key={h} scope="col">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {kinds.map((kind) => {
                      const t = rolls.by_kind[kind];
                      return (
                        <tr key={kind} data-testid="rolls-kind" data-kind={kind} data-count={t.count} data-recovered={t.recovered} data-loss={t.loss_sum / t.count}>
                          <th scope="row">{KIND_TEXT[kind]}</th>
                          <td>{t.count}</td>
                          <td>{formatPercent(t.count / rolls.chosen)}</td>
                          <td>{formatPercent(EXPECTED[kind])}</td>
                          <td>{t.count ? `${t.recovered} (${formatPercent(t.recovered / t.count)})` : '—'}</td>
                          <td>{t.count ? (t.loss_sum / t.count).toFixed(3) : '—'}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <p className="explain">{TEXT.explain}</p>
            </>
          )}
        </>
      )}
    </div>
  );
}
