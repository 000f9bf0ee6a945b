// Choosing the model of a workspace: a bundled model, a Hugging Face preset or any repo id
// (downloaded with a byte-accurate progress bar and cached), or a checkpoint folder from disk.
// Failures are shown next to the picker; the model already loaded stays in use.

import { useEffect, useId, useState, type DragEvent, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../stores';
import { PRESETS } from '../../stores/presets';
import type { ModelSlot } from '../../worker/protocol';
import { ARCHITECTURE_NAMES, formatBytes } from './format';

/** Every file under the dropped items, descending into folders. */
async function droppedFiles(items: DataTransferItemList): Promise<File[]> {
  const walk = async (entry: FileSystemEntry): Promise<File[]> => {
    if (entry.isFile) {
      return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    const children: FileSystemEntry[] = [];
    // readEntries returns at most ~100 entries per call; an empty batch means done.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      children.push(...batch);
    }
    return (await Promise.all(children.map(walk))).flat();
  };
  // Items must be read synchronously, before the drop event returns; only files have entries.
  const pending = [...items].map((item) => {
    const entry = item.webkitGetAsEntry();
    if (entry) return walk(entry);
    const file = item.getAsFile();
    return Promise.resolve(file ? [file] : []);
  });
  return (await Promise.all(pending)).flat();
}

function LoadProgressList({ slot }: { slot: ModelSlot }) {
  const progress = useAppStore((s) => s.slots[slot].progress);
  if (!progress) return null;
  return (
    <ul className="load-progress" aria-label={`Loading ${progress.name}`}>
      {progress.files.map((f) => {
        const percent = f.total ? Math.round((100 * f.loaded) / f.total) : null;
        return (
          <li key={f.file}>
            <span className="file-name">{f.file}</span>
            <progress max={f.total ?? undefined} value={f.total ? f.loaded : undefined} aria-label={`${f.file} download`} />
            <span className="file-bytes" data-testid="file-progress">
              {formatBytes(f.loaded)}
              {f.total ? ` / ${formatBytes(f.total)} (${percent}%)` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function CacheControls() {
  const { cache, refreshCache, clearCache } = useAppStore(useShallow((s) => ({ cache: s.cache, refreshCache: s.refreshCache, clearCache: s.clearCache })));
  useEffect(() => {
    void refreshCache();
  }, [refreshCache]);
  return (
    <p className="cache-controls">
      Downloaded checkpoints are kept in this browser:{' '}
      <span data-testid="cache-size">{cache ? `${formatBytes(cache.bytes)} in ${cache.entries} files` : '…'}</span>{' '}
      <button type="button" onClick={() => void clearCache()} disabled={!cache || cache.entries === 0}>
        Clear cache
      </button>
    </p>
  );
}

export function ModelPicker({ slot }: { slot: ModelSlot }) {
  const { state, hubBaseUrl, setHubBaseUrl, loadModel } = useAppStore(
    useShallow((s) => ({ state: s.slots[slot], hubBaseUrl: s.hubBaseUrl, setHubBaseUrl: s.setHubBaseUrl, loadModel: s.loadModel })),
  );
  const presets = PRESETS.filter((p) => p.slot === slot);
  const [preset, setPreset] = useState(presets[0].id);
  const [repo, setRepo] = useState('');
  const [dragging, setDragging] = useState(false);
  const id = useId();

  const loadRepo = (e: FormEvent) => {
    e.preventDefault();
    if (repo.trim()) void loadModel(repo, slot);
  };
  const loadFiles = (files: File[]) => {
    if (files.length === 0) return;
    const folder = files.find((f) => f.webkitRelativePath)?.webkitRelativePath.split('/')[0];
    void loadModel({ type: 'files', name: folder ? `folder ${folder}` : files.map((f) => f.name).join(', '), files }, slot);
  };
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    loadFiles(await droppedFiles(e.dataTransfer.items));
  };
  const info = state.current?.info;

  return (
    <section
      className={`model-picker${dragging ? ' dragging' : ''}`}
      aria-label={`${slot === 'bert' ? 'Text' : 'Image'} model`}
      aria-busy={state.loading}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => void onDrop(e)}
    >
      <p className="current-model" data-testid={`current-model-${slot}`} aria-live="polite">
        {state.current ? (
          <>
            Model: <strong>{state.current.name}</strong> ({info && <span data-testid={`architecture-${slot}`}>{ARCHITECTURE_NAMES[info.config.model_type]}</span>}, {info?.config.num_hidden_layers} layers, {info?.config.num_attention_heads} heads, hidden size {info?.config.hidden_size})
          </>
        ) : state.loading ? (
          'Loading model…'
        ) : (
          'No model loaded.'
        )}
      </p>
      {info && <p className="weights-file" data-testid={`weights-file-${slot}`}>Weights read from {info.weights_file}</p>}
      {info && info.warnings.length > 0 && (
        <ul className="model-warnings">
          {info.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <div className="picker-row">
        <label htmlFor={`${id}-preset`}>Preset</label>
        <select id={`${id}-preset`} value={preset} onChange={(e) => setPreset(e.target.value)}>
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label} · {p.size}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void loadModel(preset, slot)} disabled={state.loading}>
          Load
        </button>
      </div>
      <form className="picker-row" onSubmit={loadRepo}>
        <label htmlFor={`${id}-repo`}>Hugging Face repo</label>
        <input
          id={`${id}-repo`}
          value={repo}
          onChange={(e) => setRepo(e.target.value)}
          placeholder={slot === 'bert' ? 'e.g. google-bert/bert-base-uncased' : 'e.g. google/vit-base-patch16-224'}
          spellCheck={false}
          autoCapitalize="off"
        />
        <button type="submit" disabled={state.loading || repo.trim() === ''}>
          Download
        </button>
      </form>
      <div className="picker-row">
        <span>From disk (or drop a checkpoint folder here):</span>
        <label className="file-button">
          Choose folder…
          <input type="file" {...{ webkitdirectory: '' }} onChange={(e) => loadFiles([...(e.target.files ?? [])])} />
        </label>
        <label className="file-button">
          Choose files…
          <input type="file" multiple onChange={(e) => loadFiles([...(e.target.files ?? [])])} />
        </label>
      </div>
      <LoadProgressList slot={slot} />
      {state.notice && (
        <p role="status" className="notice">
          {state.notice}
        </p>
      )}
      {state.error && (
        <p role="alert" className="error-box" data-testid={`model-error-${slot}`}>
          {state.error}
          {state.current && ` Still using ${state.current.name}.`}
        </p>
      )}
      <details className="picker-advanced">
        <summary>Download settings</summary>
        <label>
          Hub URL{' '}
          <input value={hubBaseUrl} onChange={(e) => setHubBaseUrl(e.target.value)} spellCheck={false} size={32} />
        </label>
        <CacheControls />
      </details>
    </section>
  );
}
