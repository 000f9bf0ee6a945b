// Lint for the whole repo: typescript-eslint's recommended rules, React hooks rules for the
// views, browser globals for src/, tests/browser/ and the browser benchmark's page and workers,
// Node globals for scripts, tests and configs.

import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'test-results/', 'node_modules/', 'public/', 'scripts/**/work/', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}', 'tests/browser/**/*.ts', 'bench/browser/page.ts', 'bench/browser/*.worker.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['src/**/*.tsx'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['tests/**/*.ts', 'scripts/**/*.{ts,js,mjs}', 'bench/**/*.ts', 'src/cli/**/*.ts', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
