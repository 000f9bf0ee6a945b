// The UI language: English or Korean. The choice goes into the URL (`?lang=`), so a shared link
// opens in the same language; without one the browser's language decides.

import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from '../../i18n';
import { useAppStore } from '../../stores';

export function LanguageSwitch() {
  const { t } = useTranslation();
  const { language, rejected, setLanguage } = useAppStore(
    useShallow((s) => ({ language: s.language, rejected: s.rejectedLanguage, setLanguage: s.setLanguage })),
  );
  return (
    <div className="language-switch">
      <label>
        {t('language.label')}{' '}
        <select value={language} onChange={(e) => isLanguage(e.target.value) && setLanguage(e.target.value)} data-testid="language">
          {LANGUAGES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </select>
      </label>
      {rejected && (
        <span role="status" className="badge-notice" data-testid="language-notice">
          {t('language.rejected', { value: rejected, language: LANGUAGE_NAMES[language] })}
        </span>
      )}
    </div>
  );
}
