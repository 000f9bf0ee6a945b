// The two UI catalogues against each other: the same keys (plural forms as each language needs
// them), the same interpolation variables, nothing empty, nothing left in English by mistake.
// Keys used in the code are type-checked against the English catalogue (src/i18n/i18next.d.ts).

import { describe, expect, it } from 'vitest';
import { i18n, LANGUAGES, pickLanguage, type Language } from '../../src/i18n';
import en from '../../src/i18n/locales/en.json';
import ko from '../../src/i18n/locales/ko.json';

const CATALOGUES: Record<Language, unknown> = { en, ko };

/** Korean strings that are rightly the same as the English ones (names, symbols, formulas). */
const SAME_IN_BOTH = new Set<string>(['backend.choices.webgl', 'backend.choices.wasm', 'text.cls.norm']);

/** Every leaf as "a.b.c" → string; anything but nested objects and strings is an error. */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'string') out.set(path, child);
    else if (child && typeof child === 'object' && !Array.isArray(child)) flatten(child, path, out);
    else throw new Error(`${path}: ${JSON.stringify(child)} is neither a string nor a group of strings`);
  }
  return out;
}

interface Entry {
  /** Plural categories present ("one", "other", …), or null for a plain string. */
  plural: Set<string> | null;
  texts: string[];
}

/** Keys with i18next's plural suffixes (key_one, key_other, …) folded into one entry per key. */
function entries(language: Language): Map<string, Entry> {
  const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories as string[];
  const out = new Map<string, Entry>();
  for (const [key, text] of flatten(CATALOGUES[language])) {
    const suffix = categories.find((c) => key.endsWith(`_${c}`));
    const base = suffix ? key.slice(0, -suffix.length - 1) : key;
    const entry = out.get(base) ?? { plural: suffix ? new Set<string>() : null, texts: [] };
    if ((entry.plural === null) !== !suffix) throw new Error(`${language}: ${base} is both a plain and a plural key`);
    if (suffix) entry.plural!.add(suffix);
    entry.texts.push(text);
    out.set(base, entry);
  }
  return out;
}

const variables = (texts: string[]) =>
  [...new Set(texts.flatMap((text) => [...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1])))].sort();

/** The <tag>s a string hands to react-i18next's Trans, with how often each opens. */
const tags = (texts: string[]) =>
  texts.map((text) => [...text.matchAll(/<(\w+)>/g)].map((m) => m[1]).sort().join(' ')).sort();

describe('UI catalogues', () => {
  const all = Object.fromEntries(LANGUAGES.map((l) => [l, entries(l)])) as Record<Language, Map<string, Entry>>;

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the keys of English', (language) => {
    const missing = [...all.en.keys()].filter((k) => !all[language].has(k));
    const extra = [...all[language].keys()].filter((k) => !all.en.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(LANGUAGES)('%s has every plural form its language needs, and only those', (language) => {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories as string[];
    for (const [key, entry] of all[language]) {
      const english = all.en.get(key);
      expect.soft(entry.plural === null, `${language}: ${key} is plural in one language only`).toBe(english?.plural == null);
      if (entry.plural) expect.soft([...entry.plural].sort(), `${language}: plural forms of ${key}`).toEqual([...categories].sort());
    }
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s uses the same interpolation variables as English', (language) => {
    for (const [key, entry] of all[language]) {
      const english = all.en.get(key);
      if (english) expect.soft(variables(entry.texts), `${language}: variables of ${key}`).toEqual(variables(english.texts));
    }
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s marks up the same parts as English', (language) => {
    for (const [key, entry] of all[language]) {
      const english = all.en.get(key);
      if (english) expect.soft(new Set(tags(entry.texts)), `${language}: tags of ${key}`).toEqual(new Set(tags(english.texts)));
    }
  });

  it.each(LANGUAGES)('%s has no empty or padded strings', (language) => {
    for (const [key, text] of flatten(CATALOGUES[language])) {
      expect.soft(text.trim() !== '' && text === text.trim(), `${language}: "${key}" is empty or padded`).toBe(true);
    }
  });

  it('has no English left untranslated in Korean', () => {
    const english = flatten(en);
    const same = [...flatten(ko)].filter(([key, text]) => english.get(key) === text && !SAME_IN_BOTH.has(key)).map(([key]) => key);
    expect(same).toEqual([]);
  });

  it('resolves plural and interpolated keys in both languages', () => {
    for (const language of LANGUAGES) {
      const t = i18n.getFixedT(language);
      expect(t('language.rejected', { value: 'xx', language: 'English' })).toContain('xx');
    }
  });
});

describe('pickLanguage', () => {
  it('takes ?lang= when the app has it', () => {
    expect(pickLanguage('ko', ['en-US'])).toEqual({ language: 'ko', rejected: null });
    expect(pickLanguage('en', ['ko-KR'])).toEqual({ language: 'en', rejected: null });
  });
  it('else the first browser language it has, by primary subtag', () => {
    expect(pickLanguage(null, ['fr-FR', 'ko-KR', 'en'])).toEqual({ language: 'ko', rejected: null });
    expect(pickLanguage(null, ['KO'])).toEqual({ language: 'ko', rejected: null });
    expect(pickLanguage(null, ['de'])).toEqual({ language: 'en', rejected: null });
    expect(pickLanguage(null, [])).toEqual({ language: 'en', rejected: null });
  });
  it('reports a ?lang= it does not have', () => {
    expect(pickLanguage('fr', ['ko-KR'])).toEqual({ language: 'ko', rejected: 'fr' });
    expect(pickLanguage('', ['en'])).toEqual({ language: 'en', rejected: null });
  });
});
