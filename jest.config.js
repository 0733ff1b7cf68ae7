/** One jest run for the whole monorepo: unit specs beside the code, medium and e2e tests under test/. */
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;
swcrc.jsc.baseUrl = __dirname;

const aliases = {
  '^@vss/(contracts|domain|platform|persistence|core|security|audit|api-keys|limits|pki|insurance-records|coverage|civil-events|reconciliation|registry-client|synthetic|authority|approvals|console)$':
    '<rootDir>/libs/$1/src',
  '^@vss/(contracts|domain|platform|persistence|core|security|audit|api-keys|limits|pki|insurance-records|coverage|civil-events|reconciliation|registry-client|synthetic|authority|approvals|console)/(.*)$':
    '<rootDir>/libs/$1/src/$2',
};

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
    // NestJS 12 ships as ES modules; Node 20 requires them natively, jest's module system
    // does not, so these packages are compiled to CommonJS for the test run.
    '^.+\\.js$': ['@swc/jest', { ...swcrc, swcrc: false }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|uint8array-extras|@borewit)/)',
  ],
  moduleNameMapper: aliases,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts', '<rootDir>/{apps,libs,test}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
