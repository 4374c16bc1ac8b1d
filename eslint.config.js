// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import boundaries from './tools/eslint/boundaries.js';

/** Browser-only globals that `shared` must not touch (it also runs in Node and Web Workers). */
const DOM_ONLY = [
  'window',
  'document',
  'navigator',
  'location',
  'history',
  'localStorage',
  'sessionStorage',
  'HTMLElement',
  'HTMLCanvasElement',
  'HTMLImageElement',
  'HTMLVideoElement',
  'Image',
  'ImageBitmap',
  'createImageBitmap',
  'OffscreenCanvas',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'XMLHttpRequest',
  'WebSocket',
  'Worker',
  'self',
  'alert',
];
/** Node-only globals, likewise. */
const NODE_ONLY = [
  'process',
  'Buffer',
  'global',
  '__dirname',
  '__filename',
  'require',
  'module',
  'setImmediate',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.venv/**',
      '.turbo/**',
      'data/**',
      'bench/results/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { maskroom: boundaries },
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'maskroom/package-boundaries': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/**/*.test.ts', 'shared/src/test/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...[...DOM_ONLY, ...NODE_ONLY].map((name) => ({
          name,
          message: `'shared' runs in browsers, Node and Web Workers alike: '${name}' is not available everywhere.`,
        })),
      ],
    },
  },
  { files: ['client/src/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: [
      'server/**/*.ts',
      'tools/**/*.{ts,js,mjs}',
      'bench/**/*.ts',
      'e2e/**/*.ts',
      '*.config.{ts,js}',
      '**/*.test.ts',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
);
