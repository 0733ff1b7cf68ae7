import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * Module boundaries, held by the linter rather than by review. Each lib may import only the
 * libs listed for it (its layer and the ones below); a feature never reaches into another
 * feature or into an app; libs/domain does no I/O.
 */
const FEATURES = ['coverage', 'civil-events', 'reconciliation'];
const LIBS = [
  'contracts',
  'domain',
  'platform',
  'persistence',
  'security',
  'audit',
  'api-keys',
  'limits',
  'pki',
  'insurance-records',
  'registry-client',
  'core',
  'synthetic',
  'authority',
  'approvals',
  ...FEATURES,
  'console',
];
const ALLOWED = {
  contracts: [],
  domain: [],
  platform: ['contracts', 'domain'],
  persistence: ['platform', 'domain'],
  security: ['platform', 'contracts', 'domain'],
  audit: ['platform', 'security', 'contracts'],
  'api-keys': ['platform', 'security'],
  limits: ['platform', 'security', 'domain'],
  pki: [],
  'insurance-records': ['platform', 'domain', 'contracts'],
  'registry-client': ['platform', 'contracts'],
  core: ['platform', 'persistence', 'audit', 'registry-client'],
  synthetic: ['domain', 'persistence', 'platform'],
  authority: ['platform', 'domain'],
  approvals: ['platform', 'contracts', 'domain', 'security', 'audit'],
  coverage: [
    'platform',
    'contracts',
    'domain',
    'security',
    'limits',
    'audit',
    'insurance-records',
    'registry-client',
  ],
  'civil-events': [
    'platform',
    'contracts',
    'domain',
    'security',
    'audit',
    'authority',
    'approvals',
    'limits',
    'insurance-records',
    'registry-client',
  ],
  reconciliation: [
    'platform',
    'contracts',
    'domain',
    'security',
    'audit',
    'approvals',
    'limits',
    'insurance-records',
    'registry-client',
  ],
  // Above the features: it calls their services; no feature imports it.
  console: [
    'platform',
    'contracts',
    'domain',
    'security',
    'audit',
    'authority',
    'approvals',
    'api-keys',
    'limits',
    'pki',
    ...FEATURES,
  ],
};
const NO_IO = [
  'pg',
  'pg-*',
  '@nestjs/*',
  '@grpc/*',
  'node:fs',
  'node:net',
  'node:http',
  'node:child_process',
  'typeorm',
];

function boundaries(lib) {
  const forbidden = LIBS.filter((other) => other !== lib && !ALLOWED[lib].includes(other));
  const patterns = [
    {
      group: forbidden.flatMap((other) => [`@vss/${other}`, `@vss/${other}/*`]),
      message: `libs/${lib} may import only ${ALLOWED[lib].map((l) => `@vss/${l}`).join(', ') || 'nothing of ours'}; see docs/architecture.md`,
    },
    {
      group: ['**/apps/**', '**/tools/**', '**/bench/**', '**/test/**'],
      message: 'a lib never imports an app, a tool or a test',
    },
    {
      group: ['../../*', '../../**'],
      message: 'import another lib by its @vss/ name, not by a relative path',
    },
  ];
  if (lib === 'domain') patterns.push({ group: NO_IO, message: 'libs/domain is pure: no I/O, no framework' });
  const rule = (extra) => ({ 'no-restricted-imports': ['error', { patterns: [...patterns, ...extra] }] });
  // A feature's two halves: api/ is what the gateway mounts, engine/ what the worker mounts. Each
  // may use what the feature shares (its repositories, rows, codecs, queue), never the other half.
  const halves = [
    ['api', 'engine', 'the gateway'],
    ['engine', 'api', 'the worker'],
  ].map(([half, other, app]) => ({
    files: [`libs/${lib}/src/${half}/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: rule([
      {
        group: [`../${other}/*`, `../${other}`, `**/${other}/**`],
        message: `libs/${lib}/src/${half} is what ${app} mounts: it never imports ${other}/ (share through the feature's root)`,
      },
    ]),
  }));
  return [
    { files: [`libs/${lib}/src/**/*.ts`], ignores: ['**/*.spec.ts'], rules: rule([]) },
    ...(FEATURES.includes(lib) ? halves : []),
  ];
}

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
  ...LIBS.filter((lib) => lib !== 'contracts').flatMap(boundaries),
  {
    files: ['apps/**/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: LIBS.filter((l) => l !== 'domain' && l !== 'contracts').map((l) => `@vss/${l}/*`),
              message: 'an app mounts a lib through its index (@vss/<lib>), not its files',
            },
            {
              group: ['../../*', '../../**'],
              message: 'an app never reaches into another app or a lib by path',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/platform/src/config/**', 'test/**', 'bench/**', '**/*.spec.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
