// Last line of defence: a rendering bug in one view shows its message and a retry button
// instead of blanking the page. Inputs live in the stores, so nothing typed is lost.

import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  /** What failed, in the user's words: the translated name of a view ("the text workspace"). */
  what: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

function ErrorBox({ what, error, retry }: { what: string; error: Error; retry: () => void }) {
  const { t } = useTranslation();
  return (
    <div role="alert" className="error-box">
      <p>{t('errorBoundary.failed', { what, message: error.message })}</p>
      <p>{t('errorBoundary.kept')}</p>
      <button type="button" onClick={retry}>
        {t('errorBoundary.retry')}
      </button>
    </div>
  );
}

export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.what} crashed`, error, info.componentStack);
  }

  render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return <ErrorBox what={this.props.what} error={error} retry={() => this.setState({ error: null })} />;
  }
}
