import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/**
 * The layers of src/, bottom-up: each folder may import only the folders listed for it (and
 * itself). Everything else under src/ is refused by import-x/no-restricted-paths, so imports run
 * one way and no lower layer reaches a higher one. Process entry points (each folder's main.ts,
 * src/start.ts) sit on top. Workflows also import activities, by type only: the workflow
 * override below allows `import type` and refuses values.
 */
export const LAYERS = {
  contracts: [],
  // The pino logger and its SDK adapter: packages only, so any process layer can use it.
  logging: [],
  domain: ['contracts'],
  config: ['domain', 'contracts'],
  temporal: ['config', 'domain', 'contracts'],
  activities: ['temporal', 'config', 'domain', 'contracts'],
  workflows: ['activities', 'domain', 'contracts'],
  'use-cases': ['temporal', 'config', 'domain', 'contracts'],
  intake: ['use-cases', 'config', 'domain', 'contracts'],
  doctor: ['activities', 'config', 'domain', 'contracts'],
  process: ['use-cases', 'logging', 'config', 'domain', 'contracts'],
  cli: ['intake', 'doctor', 'use-cases', 'process', 'logging', 'temporal', 'config', 'domain', 'contracts'],
  api: ['intake', 'use-cases', 'process', 'logging', 'temporal', 'config', 'domain', 'contracts'],
  worker: ['activities', 'process', 'logging', 'temporal', 'config', 'domain', 'contracts'],
  'dev-server': ['process', 'logging', 'temporal', 'config', 'domain', 'contracts'],
  // `npm run cluster`: supervises native processes; no engine logic of its own.
  cluster: ['process', 'logging', 'temporal', 'config', 'domain', 'contracts'],
};
const layerZones = Object.entries(LAYERS).flatMap(([layer, allowed]) =>
  Object.keys(LAYERS)
    .filter((other) => other !== layer && !allowed.includes(other))
    .map((other) => ({
      target: `./src/${layer}`,
      from: `./src/${other}`,
      message: `src/${layer}/ may import only ${allowed.length ? allowed.map((a) => `src/${a}/`).join(', ') : 'packages (it is the leaf)'} (eslint.config.js LAYERS).`,
    })),
);
// Nothing below the entry points imports src/start.ts.
layerZones.push({
  target: './src',
  from: './src/start.ts',
  message: 'src/start.ts is a process entry point.',
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.tools/',
      '.data/',
      '.cache/',
      'dist/',
      'incidents/',
      'examples/',
      'coverage/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    // Layering and cycles, over src/ only. The resolver finds extensionless .ts imports as tsx does.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    // Engine processes log through pino (src/logging/logger.ts): one format, LOG_LEVEL, and the
    // fields a log search needs. The CLI prints results for people, and runMain's one-line error
    // is written before any logger exists, so those two keep the console.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/process/run-main.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // The contracts are what both sides of the wire share, workflows included: zod, the SDK's
    // define* functions and each other, nothing else (no Node built-ins, no other package).
    files: ['src/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(zod|@temporalio/common|@temporalio/workflow)$|\\./[a-z-]+$)',
              message:
                'src/contracts/ imports only zod, @temporalio/common, @temporalio/workflow and ./ siblings.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed and must be deterministic: no Node built-ins, no activity values.
    // The SDK's bundler refuses built-ins too, but only at worker start; this fails at lint time.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflow code must be deterministic: move this into an activity.',
          })),
          patterns: [
            {
              group: [
                '**/activities',
                '**/activities/*',
                '**/activities/**',
                'execa',
                '@temporalio/worker',
                '@temporalio/client',
              ],
              allowTypeImports: true,
              message: 'Workflows may import activities by type only (import type ...).',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'No environment access in workflows.' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the workflow uuid4() or pass values in.' },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
    },
  },
);
