// ESLint flat config: typescript-eslint's recommended rules over the hand-written sources.
// Formatting is Prettier's (.prettierrc.json, `npm run format:check` in CI); ESLint checks the code only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Generated or built code: cdk8s import output, build/synth output.
    ignores: ['dist/**', 'build/**', 'imports/**', 'node_modules/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      // `_`-prefixed names mark deliberately unused parameters/bindings.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // cdk8s's Testing.app() and Testing.chart() make a directory in the system temporary directory on every
      // call that nothing removes (the suite left about 150 a run); nothing here needs one.
      'no-restricted-properties': [
        'error',
        { object: 'Testing', property: 'app', message: 'makes a directory in /tmp that nothing removes: use new App() (Testing.synth writes nothing)' },
        { object: 'Testing', property: 'chart', message: 'makes a directory in /tmp that nothing removes: use new Chart(new App(), name)' },
      ],
    },
  },
  {
    // The plain-JavaScript entry points that start the bundled CLI (they run before any TypeScript tooling).
    files: ['scripts/**/*.cjs', 'scripts/**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly', module: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests walk synthesized JSON/YAML documents of arbitrary shape; typing every probe adds noise, not safety.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
