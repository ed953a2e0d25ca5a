// Lint (npm run lint; .ci/run runs it before the tests). Type-aware typescript-eslint, plus the rules
// that keep workflow code deterministic: nothing with side effects may enter the workflow bundle.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** What workflow code must not import: Node built-ins and everything that does I/O. */
const SIDE_EFFECTS = [
  { group: ['node:*'], message: 'Workflow code is deterministic: no Node built-ins (they are not in the workflow sandbox).' },
  {
    group: ['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'timers', 'timers/*', 'util', 'url', 'worker_threads'],
    message: 'Workflow code is deterministic: no Node built-ins.',
  },
  { group: ['**/db/*', '**/db', '**/domain/*', '**/domain/**', '**/config/*', '**/worker/*', '**/launcher/*', '**/client/*', '**/client/**'], message: 'Workflows never import db/, domain/, config/, worker/, launcher/ or client/: call an activity.' },
  { group: ['nodemailer', 'postgres', 'drizzle-orm', 'drizzle-orm/*', '@temporalio/activity', '@temporalio/client', '@temporalio/worker', 'hono', 'hono/*', 'zod'], message: 'Workflows import only @temporalio/workflow, @temporalio/common and the contract.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'dist/**', '.bench-baseline-*/**', 'test/histories/**', 'client/web/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Template literals with numbers and unknown errors are fine in messages.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // Many functions are async because the interface they implement is (activities, fakes, close()).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // vitest's asymmetric matchers (expect.stringMatching, expect.any) are typed `any`.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // The web app's small enhancement script runs in the browser.
    files: ['client/web/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Workflow code: deterministic, bundled for the sandbox; type-only imports from elsewhere are fine.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: SIDE_EFFECTS.map((p) => ({ ...p, allowTypeImports: true })) }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The web app's own script runs in the browser.
    files: ['client/web/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
