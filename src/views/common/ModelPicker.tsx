// Choosing the model of a workspace: a bundled model, a Hugging Face preset or any repo id
// (downloaded with a byte-accurate progress bar and cached), or a checkpoint folder from disk.
// Failures are shown next to the picker; the model already loaded stays in use.

import { useEffect, useId, useState, type DragEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../stores';
import { PRESETS } from '../../stores/presets';
import type { ModelSlot } from '../../worker/protocol';
import { ARCHITECTURE_NAMES, formatBytes, formatPercent } from './format';

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

/**
 * One bar per file. A server that compresses sends no usable Content-Length: the bar then counts
 * bytes received without a percentage until the download ends, and shows 100% once it has.
 */
function LoadProgressList({ slot }: { slot: ModelSlot }) {
  const { t } = useTranslation();
  const progress = useAppStore((s) => s.slots[slot].progress);
  if (!progress) return null;
  return (
    <ul className="load-progress" aria-label={t('picker.progressList', { name: progress.name })}>
      {progress.files.map((f) => {
        const total = f.total ?? (progress.done ? f.loaded : null);
        return (
          <li key={f.file}>
            <span className="file-name">{f.file}</span>
            <progress max={total ?? undefined} value={total !== null ? f.loaded : undefined} aria-label={t('picker.fileProgress', { file: f.file })} />
            <span className="file-bytes" data-testid="file-progress">
              {formatBytes(f.loaded)}
              {f.total ? ` / ${formatBytes(f.total)}` : ''}
              {total ? ` (${formatPercent(f.loaded / total, 0)})` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function CacheControls() {
  const { t } = useTranslation();
  const { cache, refreshCache, clearCache } = useAppStore(useShallow((s) => ({ cache: s.cache, refreshCache: s.refreshCache, clearCache: s.clearCache })));
  useEffect(() => {
    void refreshCache();
  }, [refreshCache]);
  return (
    <p className="cache-controls">
      {t('picker.cacheKept')}{' '}
      <span data-testid="cache-size">{cache ? t('picker.cacheSize', { size: formatBytes(cache.bytes), count: cache.entries }) : '…'}</span>{' '}
      <button type="button" onClick={() => void clearCache()} disabled={!cache || cache.entries === 0}>
        {t('picker.clearCache')}
      </button>
    </p>
  );
}

/** Models the Load button can fetch again by name: presets, hub repos and bundled models (not dropped files). */
const reloadable = (name: string) => name.startsWith('hub:') || name.startsWith('bundled:');

export function ModelPicker({ slot }: { slot: ModelSlot }) {
  const { t } = useTranslation();
  const { state, hubBaseUrl, setHubBaseUrl, loadModel } = useAppStore(
    useShallow((s) => ({ state: s.slots[slot], hubBaseUrl: s.hubBaseUrl, setHubBaseUrl: s.setHubBaseUrl, loadModel: s.loadModel })),
  );
  const presets = PRESETS.filter((p) => p.slot === slot);
  const currentName = state.current?.name ?? null;
  // The menu shows the model in use (also one that is no preset: a typed repo id, dropped files)
  // until the user picks another entry; a newly loaded model takes the menu over again.
  const [picked, setPicked] = useState<{ while: string | null; id: string } | null>(null);
  const preset = picked && picked.while === currentName ? picked.id : (currentName ?? presets[0].id);
  const setPreset = (id: string) => setPicked({ while: currentName, id });
  const [repo, setRepo] = useState('');
  const [dragging, setDragging] = useState(false);
  const id = useId();

  const extra = currentName && !presets.some((p) => p.id === currentName) ? currentName : null;

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
      aria-label={t(slot === 'bert' ? 'picker.regionText' : 'picker.regionImage')}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => void onDrop(e)}
    >
      <p className="current-model" data-testid={`current-model-${slot}`} aria-live="polite">
        {state.current && info ? (
          <>
            {t('picker.model')} <strong>{state.current.name}</strong> (<span data-testid={`architecture-${slot}`}>{ARCHITECTURE_NAMES[info.config.model_type]}</span>,{' '}
            {t('picker.shape', { layers: info.config.num_hidden_layers, heads: info.config.num_attention_heads, hidden: info.config.hidden_size })})
          </>
        ) : state.loading ? (
          t('picker.loadingModel')
        ) : (
          t('picker.noModel')
        )}
      </p>
      {info && (
        <p className="weights-file" data-testid={`weights-file-${slot}`}>
          {t('picker.weightsFrom', { file: info.weights_file })}
        </p>
      )}
      {info && info.warnings.length > 0 && (
        <ul className="model-warnings">
          {info.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <div className="picker-row">
        <label htmlFor={`${id}-preset`}>{t('picker.preset')}</label>
        <select id={`${id}-preset`} value={preset} onChange={(e) => setPreset(e.target.value)} data-testid={`preset-${slot}`}>
          {extra && <option value={extra}>{t('picker.loadedOption', { name: extra })}</option>}
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {t(`presets.${p.label}`)} · {p.megabytes === null ? t('picker.bundled') : t('picker.approxSize', { size: formatBytes(p.megabytes * 1024 * 1024) })}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void loadModel(preset, slot)} disabled={state.loading || !reloadable(preset)}>
          {t('picker.load')}
        </button>
      </div>
      <form className="picker-row" onSubmit={loadRepo}>
        <label htmlFor={`${id}-repo`}>{t('picker.repo')}</label>
        <input
          id={`${id}-repo`}
          value={repo}
          onChange={(e) => setRepo(e.target.value)}
          placeholder={t(slot === 'bert' ? 'picker.repoPlaceholderText' : 'picker.repoPlaceholderImage')}
          spellCheck={false}
          autoCapitalize="off"
        />
        <button type="submit" disabled={state.loading || repo.trim() === ''}>
          {t('picker.download')}
        </button>
      </form>
      <div className="picker-row">
        <span>{t('picker.fromDisk')}</span>
        <label className="file-button">
          {t('picker.chooseFolder')}
          <input type="file" {...{ webkitdirectory: '' }} onChange={(e) => loadFiles([...(e.target.files ?? [])])} />
        </label>
        <label className="file-button">
          {t('picker.chooseFiles')}
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
          {t('picker.loadFailed')} {state.error}
          {state.current && ` ${t('picker.stillUsing', { name: state.current.name })}`}
        </p>
      )}
      <details className="picker-advanced">
        <summary>{t('picker.settings')}</summary>
        <label>
          {t('picker.hubUrl')} <input value={hubBaseUrl} onChange={(e) => setHubBaseUrl(e.target.value)} spellCheck={false} size={32} />
        </label>
        <CacheControls />
      </details>
    </section>
  );
}
