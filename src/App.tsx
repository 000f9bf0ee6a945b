// The shell: header with the workspace tabs and the backend badge, the model picker of the open
// workspace, and the workspace itself. The image workspace is a separate chunk, loaded on first visit.

import { lazy, Suspense, useEffect, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore, type Tab } from './stores';
import { BackendBadge } from './views/common/BackendBadge';
import { ErrorBoundary } from './views/common/ErrorBoundary';
import { LanguageSwitch } from './views/common/LanguageSwitch';
import { UrlNotices } from './views/common/UrlNotices';
import { ModelPicker } from './views/common/ModelPicker';
import { TextWorkspace } from './views/text/TextWorkspace';

const ImageWorkspace = lazy(() => import('./views/image/ImageWorkspace').then((m) => ({ default: m.ImageWorkspace })));

const TABS: Tab[] = ['text', 'image'];

export function App() {
  // Every view re-renders when the language changes: they are all below this one.
  const { t } = useTranslation();
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
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length];
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>{t('app.title')}</h1>
        <nav role="tablist" aria-label={t('app.tabs.label')} onKeyDown={onTabKey}>
          {TABS.map((id) => (
            <button
              key={id}
              role="tab"
              id={`tab-${id}`}
              aria-selected={tab === id}
              aria-controls="workspace"
              tabIndex={tab === id ? 0 : -1}
              onClick={() => setTab(id)}
            >
              {t(`app.tabs.${id}`)}
            </button>
          ))}
        </nav>
        <BackendBadge />
        <LanguageSwitch />
      </header>
      <UrlNotices />
      <main id="workspace" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <ErrorBoundary what={t('app.modelPicker')}>
          <ModelPicker slot={slot} />
        </ErrorBoundary>
        <ErrorBoundary what={t(`app.workspace.${tab}`)}>
          {tab === 'text' ? (
            <TextWorkspace />
          ) : (
            <Suspense fallback={<p>{t('app.loadingImageWorkspace')}</p>}>
              <ImageWorkspace />
            </Suspense>
          )}
        </ErrorBoundary>
      </main>
      <footer className="app-footer">{t('app.footer')}</footer>
    </div>
  );
}
