// @ts-check
/** Three tiers: unit specs beside the code; integration and e2e on real Kafka and Postgres. */
const swcOptions = {
  swcrc: false,
  sourceMaps: 'inline',
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
    // Resolved at compile time, so jest's globalSetup (which ignores moduleNameMapper) sees them too.
    baseUrl: __dirname,
    paths: { '@redpacket/*': ['libs/*/src'] },
  },
  module: { type: 'commonjs' },
};

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swcOptions] },
  // NestJS 12, jose, @platformatic/kafka (and cookie, via fastify's inject) ship ES modules only; jest's CommonJS runtime needs them transformed.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|cookie|content-disposition|glob|minimatch|path-scurry|minipass|jackspeak|package-json-from-dist|foreground-child|balanced-match|brace-expansion|@isaacs|jose|@platformatic|scule)/)',
  ],
};

const onRealInfrastructure = {
  ...shared,
  globalSetup: '<rootDir>/testkit/support/global-setup.ts',
  globalTeardown: '<rootDir>/testkit/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/testkit/support/setup-after-env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts,testkit}/**/*.spec.ts'] },
    { ...onRealInfrastructure, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts'] },
    { ...onRealInfrastructure, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
  ],
};
