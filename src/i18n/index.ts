// The UI's languages. Every string the user reads comes from one catalogue per language
// (locales/en.json, locales/ko.json) through i18next: views call `useTranslation()`'s `t`, stores
// and other non-React code import `t` from here. Keys are type-checked against the English
// catalogue (i18next.d.ts); tests/i18n/catalogues.test.ts fails when the Korean one lacks a key,
// has one English lacks, or drops an interpolation variable.
//
// The catalogues are bundled (both together are a few kB compressed) and i18next is initialised
// synchronously, so the first render is already in the chosen language and `t` works in Node.

import i18next from 'i18next';
import en from './locales/en.json';
import ko from './locales/ko.json';

export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's own name, as the switch lists it. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ko: '한국어' };

export const isLanguage = (value: string | null | undefined): value is Language => LANGUAGES.includes(value as Language);

/**
 * The UI language: `requested` (the `?lang=` parameter) when it is one we have, else the first
 * browser language we have (by primary subtag: "ko-KR" → ko), else English. `rejected` is a
 * requested value we do not have, so the app can say it was ignored.
 */
export function pickLanguage(requested: string | null, browser: readonly string[]): { language: Language; rejected: string | null } {
  if (isLanguage(requested)) return { language: requested, rejected: null };
  const preferred = browser.map((tag) => tag.split('-')[0].toLowerCase()).find(isLanguage);
  return { language: preferred ?? 'en', rejected: requested || null };
}

export const i18n = i18next.createInstance();

void i18n.init({
  resources: { en: { translation: en }, ko: { translation: ko } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: LANGUAGES,
  // React escapes what it renders; escaping here too would show "&amp;".
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

/** The current language's translation function, for code outside React (stores, formatters). */
export const t = i18n.t.bind(i18n);

/** The current UI language (i18next's, narrowed to ours). */
export const currentLanguage = (): Language => (isLanguage(i18n.language) ? i18n.language : 'en');
