// The shell: header with the workspace tabs and the backend badge, the model picker of the open
// workspace, and the workspace itself. The image workspace is a separate chunk, loaded on first visit.

import { lazy, Suspense, useEffect, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore, type Tab } from './stores';
import { BackendBadge } from './views/common/BackendBadge';
import { ErrorBoundary } from './views/common/ErrorBoundary';
import { ModelPicker } from './views/common/ModelPicker';
import { TextWorkspace } from './views/text/TextWorkspace';

const ImageWorkspace = lazy(() => import('./views/image/ImageWorkspace').then((m) => ({ default: m.ImageWorkspace })));

const TABS: { id: Tab; label: string }[] = [
  { id: 'text', label: 'Text · BERT' },
  { id: 'image', label: 'Image · ViT' },
];

export function App() {
  const { tab, setTab, chooseBackend, ensureModel } = useAppStore(
    useShallow((s) => ({ tab: s.tab, setTab: s.setTab, chooseBackend: s.chooseBackend, ensureModel: s.ensureModel })),
  );
  const slot = tab === 'text' ? 'bert' : 'vit';

  useEffect(() => {
    void chooseBackend(useAppStore.getState().backendChoice);
  }, [chooseBackend]);

  // Each workspace's model loads the first time the workspace is opened.
  useEffect(() => {
    void ensureModel(slot);
  }, [ensureModel, slot]);

  // Arrow keys move between tabs, as in the WAI-ARIA tabs pattern.
  const onTabKey = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TABS[(TABS.findIndex((t) => t.id === tab) + step + TABS.length) % TABS.length].id;
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>Encoder playground</h1>
        <nav role="tablist" aria-label="Workspaces" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t.id}
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls="workspace"
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <BackendBadge />
      </header>
      <main id="workspace" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <ErrorBoundary what="the model picker">
          <ModelPicker slot={slot} />
        </ErrorBoundary>
        <ErrorBoundary what={`the ${tab} workspace`}>
          {tab === 'text' ? (
            <TextWorkspace />
          ) : (
            <Suspense fallback={<p>Loading the image workspace…</p>}>
              <ImageWorkspace />
            </Suspense>
          )}
        </ErrorBoundary>
      </main>
      <footer className="app-footer">
        Numbers are computed in your browser with TensorFlow.js and checked against Hugging Face transformers (PyTorch) on the same
        checkpoints.
      </footer>
    </div>
  );
}
