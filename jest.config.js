// ESM TypeScript under Jest: @swc/jest strips types (tsc checks them in `npm run typecheck`),
// Node's vm modules keep real ESM semantics so ESM-only dependencies load as they do in production.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/tests/**/*.test.ts', '<rootDir>/{server,courses,assets,search}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/tests/bench/'],
  testTimeout: 30000,
  maxWorkers: 2,
};
