// Lint rules: ESLint's and typescript-eslint's recommended sets and eslint-plugin-astro's, as the
// Astro community uses them (docs/decisions/083). `npm test` runs `eslint .` and expects no finding.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';
import astro from 'eslint-plugin-astro';
import globals from 'globals';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'data/', '.astro/', 'db/migrations/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...astro.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // The UI is Chinese: the ideographic space (U+3000) in text and strings is typography, not a typo.
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true, skipJSXText: true, skipRegExps: true, skipComments: true }],
      // Sanitisers strip control characters on purpose (safe-next, reader-text, search, feeds).
      'no-control-regex': 'off',
      // `_`-prefixed names are deliberately unused (destructuring away a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
