// Lint: typescript-eslint's recommended rules with type information, no explicit `any`, no
// floating promises, no import cycles, and the layers of ARCHITECTURE.md as import zones: a folder
// may import the folders below it, never the ones above (the CLI on top, Google access and the
// utilities at the bottom, the emulator beside the product). Formatting is Prettier's (npm run lint).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** `from` may not be imported by anything under `target`. */
const forbid = (target, from, message) => ({ target: `./src/${target}`, from: `./src/${from}`, message });

const LAYERS = [
  // Nothing but the CLI knows the CLI.
  ...['engine', 'phases', 'secrets', 'init', 'desired', 'config', 'state', 'gcp', 'ui', 'util', 'atlantis', 'cloudrun', 'cost'].map((t) =>
    forbid(t, 'cli', 'only src/cli may import the CLI layer (ARCHITECTURE.md, layers)'),
  ),
  // The engine is generic: it knows the phase contract, not the phases or the use cases built on it.
  ...['phases', 'secrets', 'init', 'ui'].map((f) => forbid('engine', f, 'the engine knows no phase, command or terminal')),
  // Phases and the secrets commands share domain modules (src/cloudrun, src/secrets/live…), not each other.
  forbid('phases', 'secrets', 'phases and the secrets commands share domain modules, not each other'),
  forbid('phases', 'init', 'phases do not know the init wizard'),
  forbid('secrets', 'phases', 'phases and the secrets commands share domain modules, not each other'),
  forbid('secrets', 'init', 'secrets does not know the init wizard'),
  // Pure layers below the engine.
  ...['engine', 'phases', 'secrets', 'init', 'ui', 'state', 'cloudrun', 'cost', 'deployment'].map((f) =>
    forbid('desired', f, 'desired state is a pure function of the configuration'),
  ),
  // …which may name the shapes of Google's resources, and nothing else of the Google access layer.
  { ...forbid('desired', 'gcp', 'desired state is a pure function of the configuration'), except: ['./apis/run-types.ts'] },
  ...['engine', 'phases', 'secrets', 'init', 'ui', 'gcp', 'state', 'desired', 'cloudrun', 'cost'].map((f) =>
    forbid('config', f, 'configuration loading depends on nothing above it'),
  ),
  ...['engine', 'phases', 'secrets', 'init', 'ui', 'desired', 'config', 'state', 'cloudrun', 'cost'].map((f) =>
    forbid('gcp', f, 'Google access is below every domain layer'),
  ),
  ...['engine', 'phases', 'secrets', 'init', 'ui', 'desired', 'config', 'gcp', 'cloudrun', 'cost'].map((f) =>
    forbid('state', f, 'the lockfile layer depends on nothing above it'),
  ),
  ...['phases', 'secrets', 'init', 'desired', 'config', 'gcp', 'state', 'cloudrun', 'cost'].map((f) =>
    forbid('ui', f, 'the IO host renders events; it does not reach into domain layers'),
  ),
  // The emulator stands beside the product: it shares only the status-code table and the region list.
  ...['cli', 'engine', 'phases', 'secrets', 'init', 'desired', 'state', 'ui', 'cloudrun', 'cost'].map((f) =>
    forbid('emulator', f, 'the emulator is independent of the product (it may share gcp/status-codes and config/regions)'),
  ),
  ...['engine', 'phases', 'secrets', 'init', 'desired', 'config', 'state', 'gcp', 'ui', 'util', 'atlantis', 'cloudrun', 'cost'].map((t) =>
    forbid(t, 'emulator', 'only the CLI starts the emulator'),
  ),
];

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
