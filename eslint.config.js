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

// The layers' arrows (docs: README "Layout"): what each edge may not reach into. A pattern per rule so
// a lint error names the rule that was broken.
/** The client (CLI, web, operations) talks to Temporal and the domain, never to the worker process. */
const CLIENT_EDGES = [{ group: ['**/worker/*', '**/worker/**'], message: 'client/ does not import worker/: share it from a neutral module (process/, config/, domain/).' }];
/** A route parses, calls one operation or domain read, and renders: the tables are the domain's. */
const ROUTE_EDGES = [
  ...CLIENT_EDGES,
  { group: ['**/db/schema', '**/db/schema/*', 'drizzle-orm', 'drizzle-orm/*'], message: 'Routes hold no SQL: read through a domain/ function (e.g. domain/user-names.ts).' },
];
/** The domain is called by the edges, never the other way round, and speaks no Temporal. */
const DOMAIN_EDGES = [
  { group: ['**/client/*', '**/client/**', '**/worker/*', '**/worker/**'], message: 'domain/ imports nothing from client/ or worker/: they call the domain, not the other way round.' },
  { group: ['@temporalio/*'], message: 'domain/ speaks no Temporal: throw a Refusal (domain/refusal.ts); activities/failures.ts maps it to an ApplicationFailure.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'dist/**', '.bench-baseline-*/**', 'test/histories/**', 'client/web/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      // The one tsconfig.json program, not the project service: the same findings for 0.8× the CPU
      // (about 52 CPU-s against 64 here), and CI runs lint beside the tests.
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
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
    files: ['client/**/*.ts', 'client/**/*.tsx'],
    ignores: ['client/web/routes/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: CLIENT_EDGES }] },
  },
  {
    files: ['client/web/routes/**/*.ts', 'client/web/routes/**/*.tsx'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: ROUTE_EDGES }] },
  },
  {
    files: ['domain/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: DOMAIN_EDGES }] },
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
