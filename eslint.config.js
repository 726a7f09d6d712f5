// Lint: typescript-eslint's recommended rules over sources, tests and scripts.
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'packages/*/dist/**', 'node_modules/**', '.tap/**', '.rotor/**', 'k6/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  }
)
