// Many rolls of the same text: how the chosen tokens split into [MASK], random and unchanged, and
// how often the model still recovers the original in each case. One example shows a handful of
// positions; a few hundred rolls show the rates.

import { useTranslation } from 'react-i18next';
import { MASK_FRACTION, RANDOM_FRACTION, type Corruption } from '../../../analysis/pretraining';
import { ROLLS, useLabStore } from '../../../stores';
import { formatNumber, formatPercent } from '../../common/format';
import { KINDS } from './MlmExampleView';
import { NumbersTable } from '../../common/NumbersTable';

const EXPECTED: Record<Corruption, number> = { mask: MASK_FRACTION, random: RANDOM_FRACTION, keep: 1 - MASK_FRACTION - RANDOM_FRACTION };

export function RollsView() {
  const { t } = useTranslation();
  const rolls = useLabStore((s) => s.rolls);
  const seed = useLabStore((s) => s.seed);
  const roll = useLabStore((s) => s.roll);
  const busy = rolls !== null && rolls.done < rolls.rolls && !rolls.error;
  const headers = ['kind', 'positions', 'share', 'recipe', 'recovered', 'loss'] as const;
  return (
    <div className="lab-rolls">
      <button type="button" onClick={() => void roll()} disabled={busy}>
        {t('lab.rolls.button', { rolls: ROLLS, from: seed, to: seed + ROLLS - 1 })}
      </button>
      {rolls && (
        <>
          <progress value={rolls.done} max={rolls.rolls} aria-label={t('lab.rolls.progress', { done: rolls.done, rolls: rolls.rolls })} />{' '}
          <span data-testid="rolls-done" data-done={rolls.done}>
            {t('lab.rolls.progress', { done: rolls.done, rolls: rolls.rolls })}
          </span>
          {rolls.error && (
            <p role="alert" className="error-box">
              {rolls.error}
            </p>
          )}
          {rolls.chosen > 0 && (
            <>
              <p data-testid="rolls-chosen" data-chosen={rolls.chosen} data-candidates={rolls.candidates}>
                {t('lab.rolls.chosen', { chosen: rolls.chosen, candidates: rolls.candidates, share: formatPercent(rolls.chosen / rolls.candidates) })}
              </p>
              <NumbersTable headers={headers.map((h) => t(`lab.rolls.headers.${h}`))}>
                {KINDS.map((kind) => {
                  const k = rolls.by_kind[kind];
                  return (
                    <tr key={kind} data-testid="rolls-kind" data-kind={kind} data-count={k.count} data-recovered={k.recovered} data-loss={k.loss_sum / k.count}>
                      <th scope="row">{t(`lab.kinds.${kind}`)}</th>
                      <td>{k.count}</td>
                      <td>{formatPercent(k.count / rolls.chosen)}</td>
                      <td>{formatPercent(EXPECTED[kind])}</td>
                      <td>{k.count ? `${k.recovered} (${formatPercent(k.recovered / k.count)})` : '—'}</td>
                      <td>{k.count ? formatNumber(k.loss_sum / k.count, 3) : '—'}</td>
                    </tr>
                  );
                })}
              </NumbersTable>
              <p className="explain">{t('lab.rolls.explain')}</p>
            </>
          )}
        </>
      )}
    </div>
  );
}
