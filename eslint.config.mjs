// Lint guards: workflow code runs in Temporal's deterministic sandbox, so it may not import Node
// built-ins, zod (sdk-typescript issue 2227) or the client/worker/activity/testing packages at run
// time. Type-only imports are erased and therefore allowed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'zod',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', '.tools/**', '.cache/**', 'coverage/**', '*.js', '*.mjs', 'web/dist/**', 'web/src/generated/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    // schemas.ts files are zod for the API and activities; workflow code may import them type-only.
    ignores: ['workflows/**/schemas.ts', 'workflows/shared-schemas.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.map((name) => ({
            name,
            message: 'Workflow code runs in the deterministic sandbox: use `import type` or move this to an activity.',
            allowTypeImports: true,
          })),
          patterns: [{ group: ['**/schemas', '**/schemas.ts', '**/shared-schemas', '**/shared-schemas.ts'], message: 'schemas.ts runs zod: import its types with `import type` only.', allowTypeImports: true }],
        },
      ],
    },
  },
);
