import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { i18n, t } from './i18n';
import { ErrorBoundary } from './views/common/ErrorBoundary';
import './app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <ErrorBoundary what={t('app.whole')}>
        <App />
      </ErrorBoundary>
    </I18nextProvider>
  </StrictMode>,
);
