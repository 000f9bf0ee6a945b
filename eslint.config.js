// Lint for the whole repo: typescript-eslint's type-checked recommended rules (a promise nobody
// awaits or handles is an error), React hooks rules for the views, browser globals for src/,
// tests/browser/ and the browser benchmark's page and workers, Node globals for scripts, tests and configs.

import js from '@eslint/js';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'test-results/', 'node_modules/', 'public/', 'scripts/**/work/', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Plain JavaScript (configs, the pretest script) has no types to check against.
    files: ['**/*.{js,mjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/**/*.{ts,tsx}', 'tests/browser/**/*.ts', 'bench/browser/page.ts', 'bench/browser/*.worker.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['src/**/*.tsx'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // Words the user reads come from the catalogues (src/i18n/locales), not from JSX literals.
    files: ['src/App.tsx', 'src/views/**/*.tsx'],
    ...i18next.configs['flat/recommended'],
    rules: {
      'i18next/no-literal-string': [
        'error',
        // Besides the plugin's defaults (digits and ASCII punctuation, ALL-CAPS names), the symbols views draw with.
        { mode: 'jsx-text-only', words: { exclude: ['[0-9!-/:-@[-`{-~]+', '[A-Z_-]+', '[●□‖·–—→×\\s]+'] } },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'scripts/**/*.{ts,js,mjs}', 'bench/**/*.ts', 'src/cli/**/*.ts', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
  },
  {
    // Tests read JSON fixtures and results, which are `any` by nature.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
