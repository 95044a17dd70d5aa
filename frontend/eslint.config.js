import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Imports flow shared -> features -> app: shared code never reaches into a
// feature or the app, and no feature imports another.
const features = readdirSync(new URL('./src/features', import.meta.url));
const sharedDirs = ['components', 'config', 'lib', 'types', 'testing'];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/types/api.d.ts', 'e2e/out'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: sharedDirs.map((dir) => `src/${dir}/**`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/features/*', '@/app/*'], message: 'shared code must not depend on features or the app' },
          ],
        },
      ],
    },
  },
  ...features.map((feature) => ({
    files: [`src/features/${feature}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/features/*', `!@/features/${feature}`, `!@/features/${feature}/*`, '@/app/*'],
              message: 'a feature imports only shared code and itself; compose features in src/app',
            },
          ],
        },
      ],
    },
  })),
);
