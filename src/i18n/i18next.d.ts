// Type-checks translation keys: `t('no.such.key')` is a compile error. English is the reference
// catalogue; the Korean one is checked against it by tests/i18n/catalogues.test.ts.

import 'i18next';
import type en from './locales/en.json';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
    returnNull: false;
  }
}
