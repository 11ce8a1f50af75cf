/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }]
  },
  collectCoverageFrom: ['src/**/*.ts', '!src/index.ts', '!src/cli.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: {
    global: { lines: 80, statements: 80, functions: 80, branches: 70 },
    './src/oracle/': { lines: 90, statements: 90, functions: 90, branches: 80 },
    './src/privacy/': { lines: 90, statements: 90, functions: 90, branches: 80 }
  },
  // Amazon's DynamoDB Local, started once per run for the contract suites.
  globalSetup: '<rootDir>/test-support/jest-global-setup.mjs',
  globalTeardown: '<rootDir>/test-support/jest-global-teardown.mjs',
  testTimeout: 30000
};
