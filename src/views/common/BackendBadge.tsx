// Which tfjs backend computes the numbers, why it was chosen, its float precision, and how long
// the latest run of the open workspace took. The select overrides the automatic choice.

import { useAppStore } from '../../stores/appStore';
import type { BackendChoice } from '../../worker/protocol';
import { formatMs } from './format';

const CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'webgl', label: 'WebGL (GPU)' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'CPU (slow)' },
];

export function BackendBadge() {
  const { backend, backendChoice, backendBusy, backendNotice, chooseBackend } = useAppStore();
  const timings = useAppStore((s) => s.timings[s.tab === 'image' ? 'vit' : 'bert']);

  return (
    <div className="backend-badge" data-backend={backend?.name ?? 'none'}>
      <label>
        Backend{' '}
        <select value={backendChoice} disabled={backendBusy} onChange={(e) => void chooseBackend(e.target.value as BackendChoice)}>
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <span className="badge-status" aria-live="polite">
        {backendBusy || !backend ? (
          'starting…'
        ) : (
          <>
            <strong data-testid="backend-name">{backend.name.toUpperCase()}</strong> · {backend.precision}
            <span className="badge-details" title={backend.details}>
              {' '}
              · {backend.reason}
            </span>
          </>
        )}
      </span>
      {timings && (
        <span className="badge-timings" data-testid="timings">
          prepare {formatMs(timings.preprocess_ms)} · forward {formatMs(timings.forward_ms)} · read-back {formatMs(timings.readback_ms)}
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
