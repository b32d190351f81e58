import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (docs/decisions/0006-figure-core.md), held here rather than by memory:
 * - server/domain: the figure's rules; imports nothing but zod.
 * - db: SQL only; never imports the web layer (server/) except the domain.
 * - server/routes: thin; reads through the query façade's types, writes only
 *   through server/workflow; no SQL module or connection values, no audit writes.
 */
const DOMAIN_ONLY = {
  'no-restricted-imports': [
    'error',
    { patterns: [{ regex: '^(?!zod$|\\./)', message: 'server/domain imports nothing but zod and itself: no database, no web framework, no Node modules.' }] },
  ],
};

const DB_LAYER = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { regex: '(^|/)server/(?!domain/)', message: 'db never imports the web layer: only server/domain may be shared.' },
        { group: ['express', 'ejs'], message: 'db never imports the web framework.' },
      ],
    },
  ],
};

/** Calls a route may not make: writes go through server/workflow, which also writes history, audit and change feed. */
const WRITE_CALLS = [
  ['audit', 'record'],
  ['figureEdits', 'createDraft|saveFields|submit|sendBack|publish|publishFields|retire|markSubmitted'],
  ['figures', 'create|recordRevisionsAfter'],
  ['sources', 'create|update'],
  ['indicators', 'create|update|remove'],
  ['locations', 'create|update|remove'],
  ['users', 'setRole|disable|enable'],
  ['changes', '.*'],
  ['importBatches', 'finish|addRows|fail'],
].map(([object, methods]) => ({
  selector: `CallExpression[callee.object.property.name='${object}'][callee.property.name=/^(${methods})$/]`,
  message: `Routes do not write: call the workflow module (server/workflow) for ${object} changes.`,
}));

const ROUTE_LAYER = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['**/db/queries/**', '**/db/connection', '**/db/migrate', '**/db/seed/**', 'better-sqlite3'],
          allowTypeImports: true,
          message: 'Routes reach the database only through the query façade (db/index types) and server/workflow.',
        },
      ],
    },
  ],
  'no-restricted-syntax': ['error', ...WRITE_CALLS],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'public/vendor/', 'test/artifacts/', 'bench/results/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  { files: ['server/domain/**/*.ts'], rules: DOMAIN_ONLY },
  { files: ['db/**/*.ts'], rules: DB_LAYER },
  { files: ['server/routes/**/*.ts'], rules: ROUTE_LAYER },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'writable', require: 'readonly', window: 'readonly', document: 'readonly' } },
  },
);
