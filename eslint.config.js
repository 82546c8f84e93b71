// Lint: typescript-eslint's strict and stylistic type-checked sets over src/ and test/ (run by
// `npm test` through `npm run lint`); plain recommended rules for the .mjs/.js scripts and fixtures.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'examples/**', 'test/fixtures/chef/**'] },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs', 'bin/backup-agent'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers and booleans are how this code writes messages.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => clearTimeout(timer)` reads better than a block; a void value used elsewhere is still an error.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests only: `value!` on something the test has just produced. If it is missing, the test fails
    // anyway (a TypeError or a failed expectation), which is what a test should do; narrowing it first
    // would add noise and no protection. src/ keeps the rule.
    files: ['test/**/*.ts', 'src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
