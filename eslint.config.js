import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off'
    }
  },
  {
    // oracle/ and rules/ are pure: no I/O, no @actions, no stores.
    files: ['src/oracle/**/*.ts', 'src/rules/**/*.ts', 'src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@actions/*', 'node:fs', 'node:fs/*', 'fs', 'node:http', 'node:https', 'node:child_process', '**/collect/*', '**/store/*', '**/store/**', '**/aws/*', '**/report/*'] }]
    }
  }
);
