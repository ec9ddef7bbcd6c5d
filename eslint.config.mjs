// ESLint flat config: typescript-eslint with type information for the TypeScript sources, plain rules for the
// few JavaScript build/CI scripts, and the layering rule (which layer may import what) as import restrictions.
// Formatting is Prettier's job (`npm run format`); nothing here argues about layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const VSCODE_ONLY_IN_UI = 'vscode is imported only in src/ui/** and src/extension.ts; pass values or callbacks down.';
const NO_UI_BELOW =
  'Layers below the UI do not import src/ui or the extension; the UI depends on them, not the reverse.';
const CORE_IMPORTS_NOTHING_OURS = 'src/core imports nothing of ours (only node: built-ins and packages).';

/** A regex (no-restricted-imports `patterns[].regex`) for a relative path that climbs `levels` directories or more. */
const climbs = (levels) => `^(\\.\\./){${levels}}`;

/**
 * The `@typescript-eslint/no-restricted-imports` options for one layer. Flat config replaces (not merges) a
 * rule's options when a later block matches the same file, so every block states its layer's whole rule.
 */
function layerRule({ core = false, coreDepth = 0 } = {}) {
  const patterns = [{ regex: '(^|/)(ui|extension)(/|$)', message: NO_UI_BELOW }];
  // A file `depth` folders below src/core leaves it with depth+1 `../`.
  if (core) patterns.push({ regex: climbs(coreDepth + 1), message: CORE_IMPORTS_NOTHING_OURS });
  return ['error', { paths: [{ name: 'vscode', message: VSCODE_ONLY_IN_UI }], patterns }];
}

/** `require('vscode')` and `import('vscode')` are not import declarations; no-restricted-imports misses them. */
const noDynamicVscode = [
  'error',
  { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: VSCODE_ONLY_IN_UI },
  { selector: "ImportExpression[source.value='vscode']", message: VSCODE_ONLY_IN_UI },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      '.vscode-test/**',
      'test-results/**',
      '.tmp/**',
      // A stand-alone fixture extension loaded by the UI suite; its own package, not ours to lint.
      'test/e2e/fixture-ext/**',
    ],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // TypeScript: type-aware. The project service picks the nearest tsconfig.json (root, or bench/tsconfig.json).
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        // A `default:` is an explicit decision; a switch without one must name every member of the union.
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // tsc (noUnusedLocals/noUnusedParameters) already reports these; `_name` marks an intentionally unused one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },

  // Layering (docs/ARCHITECTURE.md): vscode only in src/ui/** and src/extension.ts; src/core imports nothing ours.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', 'src/extension.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerRule(),
      'no-restricted-syntax': noDynamicVscode,
    },
  },
  ...[0, 1, 2, 3].map((depth) => ({
    files: [`src/core/${'*/'.repeat(depth)}*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': layerRule({ core: true, coreDepth: depth }) },
  })),

  // JavaScript build, CI and bench scripts: CommonJS or ESM on Node, not type-checked.
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: globals.node,
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: globals.node,
    },
  },
);
