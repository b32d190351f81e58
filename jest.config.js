/** Unit and route tests: every test builds its own app on a fresh in-memory database. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/browser/'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // A guard against a hang, not a speed target: two cores shared with a compile can make a long test slow.
  testTimeout: 30_000,
};
