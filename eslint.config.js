import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importBoundaryConfigs } from './eslint.boundaries.js';

/** Imports of the sandbox package, by name or by path (test/sandbox-boundary.test.ts checks the same). */
const sandboxImports = {
  regex: '^@eafix/sandbox(/|$)|(^|/)packages/sandbox(/|$)',
  message: 'src/ is the bot; the sandbox (packages/sandbox) depends on it, never the reverse.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.sandbox-data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...importBoundaryConfigs(),
  {
    // The sandbox depends on the bot, never the reverse: the production build and image do not contain it.
    // (A later block that sets no-restricted-imports for some of src/ replaces this one there: repeat it.)
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [sandboxImports] }],
    },
  },
);
