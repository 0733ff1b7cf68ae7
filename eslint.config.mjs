import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'libs/contracts/src/generated/**', '.data/**', '*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through the validated config object (libs/platform/src/config).',
        },
      ],
    },
  },
  {
    files: ['libs/platform/src/config/**', 'test/**', 'bench/**', 'tools/**', '**/*.spec.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
