// Lint: typescript-eslint's recommended rules with type information, no explicit `any`, no
// floating promises, no import cycles, and the layers of ARCHITECTURE.md as import zones: a folder
// may import the folders below it, never the ones above (the CLI on top, Google access and the
// utilities at the bottom, the emulator beside the product). Formatting is Prettier's (npm run lint).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * ARCHITECTURE.md's layers: what each folder of src/ may import (besides itself, src/errors.ts and
 * src/version.ts). Everything not listed is forbidden — dependencies point down.
 */
const ALLOWED = {
  cli: '*',
  deployment: ['engine', 'phases', 'cloudrun', 'secret-values', 'desired', 'config', 'state', 'gcp', 'ui', 'util', 'atlantis', 'cost'],
  init: ['secrets', 'secret-values', 'engine', 'desired', 'config', 'state', 'gcp', 'ui', 'util', 'atlantis', 'cost'],
  secrets: ['engine', 'cloudrun', 'secret-values', 'desired', 'config', 'state', 'gcp', 'util', 'atlantis'],
  webhooks: ['config', 'util', 'atlantis'],
  ci: ['config', 'util'],
  phases: ['engine', 'cloudrun', 'secret-values', 'image-build', 'desired', 'config', 'state', 'gcp', 'util', 'atlantis', 'cost'],
  'image-build': ['engine', 'desired', 'config', 'state', 'gcp', 'util', 'atlantis'],
  cloudrun: ['engine', 'desired', 'config', 'state', 'gcp', 'util'],
  'secret-values': ['engine', 'desired', 'config', 'state', 'gcp', 'util', 'atlantis'],
  engine: ['desired', 'config', 'state', 'gcp', 'util', 'atlantis'],
  ui: ['engine', 'util'],
  desired: ['config', 'atlantis', 'util'],
  // The cost model: pure, over the configuration and its dated price tables.
  cost: ['config', 'util'],
  atlantis: ['config'],
  config: ['util', 'atlantis'],
  state: ['util'],
  gcp: ['util'],
  util: [],
  emulator: [],
};
// Narrow exceptions: the shapes of Google's Cloud Run resources are data for the desired state; the
// emulator shares the product's table of status codes and its list of regions.
const EXCEPT = {
  desired: { gcp: ['./apis/run-types.ts'] },
  emulator: { gcp: ['./status-codes.ts'], config: ['./regions.ts'] },
};
const FOLDERS = Object.keys(ALLOWED);
const LAYERS = FOLDERS.flatMap((target) =>
  ALLOWED[target] === '*'
    ? []
    : FOLDERS.filter((from) => from !== target && !ALLOWED[target].includes(from)).map((from) => ({
        target: `./src/${target}`,
        from: `./src/${from}`,
        ...(EXCEPT[target]?.[from] ? { except: EXCEPT[target][from] } : {}),
        message: `src/${target} may not import src/${from}: dependencies point down (ARCHITECTURE.md, "Layers")`,
      })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.atlantis-run/**', 'examples/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.lint.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.lint.json' })] },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // A phase's contract methods return promises; a body that happens not to await is fine.
      '@typescript-eslint/require-await': 'off',
      // The runner rethrows whatever a phase threw (an Error in practice, typed unknown).
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      'import-x/no-restricted-paths': ['error', { zones: LAYERS }],
    },
  },
  {
    // Tests poke at client libraries, emulator internals and parsed JSON output: loosely typed
    // values are part of that.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
