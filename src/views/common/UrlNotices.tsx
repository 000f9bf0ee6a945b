// Says which parameters of the opened link could not be used (an unknown view, a layer of "x",
// masked tokens that do not match the sentence…), instead of silently showing the defaults.

import { useTranslation } from 'react-i18next';
import { useImageStore, useLabStore, useTextStore } from '../../stores';

export function UrlNotices() {
  const { t } = useTranslation();
  const text = useTextStore((s) => s.ignoredParams);
  const image = useImageStore((s) => s.ignoredParams);
  const lab = useLabStore((s) => s.ignoredParams);
  const ignored = [...text, ...image, ...lab];
  if (ignored.length === 0) return null;
  return (
    <p role="status" className="notice url-notice" data-testid="url-notice">
      {t('url.ignored', { params: ignored.map(({ key, value }) => `?${key}=${value}`).join(', ') })}
    </p>
  );
}
