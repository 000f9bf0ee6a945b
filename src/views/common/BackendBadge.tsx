// Which tfjs backend computes the numbers, why it was chosen, its float precision, and how long
// the latest run of the open workspace took. The select overrides the automatic choice.

import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../stores';
import type { BackendChoice } from '../../worker/protocol';
import { formatMs } from './format';

const CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'webgl', label: 'WebGL (GPU)' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'CPU (slow)' },
];

export function BackendBadge() {
  const { backend, backendChoice, backendBusy, backendNotice, chooseBackend, liveTensors } = useAppStore(
    useShallow((s) => ({
      backend: s.backend,
      backendChoice: s.backendChoice,
      backendBusy: s.backendBusy,
      backendNotice: s.backendNotice,
      chooseBackend: s.chooseBackend,
      liveTensors: s.liveTensors,
    })),
  );
  const tab = useAppStore((s) => s.tab);
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
            <strong data-testid="backend-name">{backend.name.toUpperCase()}</strong> · {backend.precision} · {backend.details}
            <span className="badge-reason"> · {backend.reason}</span>
          </>
        )}
      </span>
      {timings && (
        <span className="badge-timings" data-testid="timings">
          {tab === 'image' ? 'preprocess' : 'tokenize'} {formatMs(timings.preprocess_ms)} · forward {formatMs(timings.forward_ms)} · read-back {formatMs(timings.readback_ms)}
        </span>
      )}
      {liveTensors !== null && (
        <span className="badge-tensors" title="tfjs tensors alive in the worker; stays constant across runs" data-testid="live-tensors">
          {liveTensors} tensors
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
