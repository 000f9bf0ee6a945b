// Which tfjs backend computes the numbers, why it was chosen, its float precision, and how long
// the latest run of the open workspace took. The select overrides the automatic choice.

import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../stores';
import type { BackendChoice } from '../../worker/protocol';
import { formatMs } from './format';

const CHOICES: BackendChoice[] = ['auto', 'webgl', 'wasm', 'cpu'];

export function BackendBadge() {
  const { t } = useTranslation();
  const { backend, backendChoice, backendBusy, backendNotice, chooseBackend, liveTensors, rejectedBackend } = useAppStore(
    useShallow((s) => ({
      backend: s.backend,
      backendChoice: s.backendChoice,
      backendBusy: s.backendBusy,
      backendNotice: s.backendNotice,
      chooseBackend: s.chooseBackend,
      liveTensors: s.liveTensors,
      rejectedBackend: s.rejectedBackend,
    })),
  );
  const tab = useAppStore((s) => s.tab);
  const timings = useAppStore((s) => s.timings[s.tab === 'image' ? 'vit' : 'bert']);

  return (
    <div className="backend-badge" data-backend={backend?.name ?? 'none'}>
      <label>
        {t('backend.label')}{' '}
        <select value={backendChoice} disabled={backendBusy} onChange={(e) => void chooseBackend(e.target.value as BackendChoice)}>
          {CHOICES.map((c) => (
            <option key={c} value={c}>
              {t(`backend.choices.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <span className="badge-status" aria-live="polite">
        {backendBusy || !backend ? (
          t('backend.starting')
        ) : (
          <>
            <strong data-testid="backend-name">{backend.name.toUpperCase()}</strong> · {backend.precision} · {backend.details}
            <span className="badge-reason"> · {backend.reason}</span>
          </>
        )}
      </span>
      {timings && (
        <span className="badge-timings" data-testid="timings">
          {t(tab === 'image' ? 'backend.timings.preprocess' : 'backend.timings.tokenize', { ms: formatMs(timings.preprocess_ms) })} ·{' '}
          {t('backend.timings.forward', { ms: formatMs(timings.forward_ms) })} · {t('backend.timings.readback', { ms: formatMs(timings.readback_ms) })}
        </span>
      )}
      {liveTensors !== null && (
        <span className="badge-tensors" title={t('backend.tensorsTitle')} data-testid="live-tensors" data-count={liveTensors}>
          {t('backend.tensors', { count: liveTensors })}
        </span>
      )}
      {rejectedBackend && (
        <span role="status" className="badge-notice" data-testid="backend-rejected">
          {t('backend.rejected', { value: rejectedBackend })}
        </span>
      )}
      {backendNotice && (
        <span role="status" className="badge-notice">
          {backendNotice}
        </span>
      )}
    </div>
  );
}
