// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      '.infra/',
      'jest.config.js',
      'eslint.config.mjs',
      'scripts/register.cjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Money-moving code: a forgotten await is a lost write.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='synchronize'][value.value=true]",
          message: 'Schema changes go through migrations.',
        },
      ],
    },
  },
  {
    // The Kafka clients sit behind the ports of libs/kafka: nothing else may depend on one.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: 'Use the ports of @redpacket/kafka.' },
            { name: '@platformatic/kafka', message: 'Use the ports of @redpacket/kafka.' },
          ],
        },
      ],
    },
  },
  {
    // The npm scripts and the tests share one kit (testkit/): neither imports the other.
    files: ['scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/test/**'], message: 'Share it through testkit/: scripts never import tests.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'testkit/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/scripts/**', '!**/scripts/register.cjs'],
              message: 'Share it through testkit/: tests never import scripts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The monitor's live page script runs in the browser, untyped and unbundled.
    files: ['apps/monitor/src/page/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: {
        document: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        history: 'readonly',
        location: 'readonly',
        URLSearchParams: 'readonly',
        sessionStorage: 'readonly',
      },
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'testkit/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  prettier,
);
