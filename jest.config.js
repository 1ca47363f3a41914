// Probot 14 is ESM-only, so jest runs native ESM (NODE_OPTIONS=--experimental-vm-modules) and
// @swc/jest strips types without changing the module system.
/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "es6" },
      },
    ],
  },
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testMatch: ["<rootDir>/test/**/*.test.ts", "<rootDir>/packages/*/test/**/*.test.ts"],
  // The browser suite needs Debian's Chromium, which a fresh machine may lack: it runs through
  // `npm run test:e2e` (and in CI), so `npm test` passes after a plain `npm install`.
  testPathIgnorePatterns: process.env.JEST_E2E === "1" ? ["/node_modules/"] : ["/node_modules/", "<rootDir>/test/e2e/"],
  setupFilesAfterEnv: ["<rootDir>/test/support/nock-isolation.ts"],
  globalSetup: "<rootDir>/test/support/global-setup.mjs",
  globalTeardown: "<rootDir>/test/support/global-teardown.mjs",
  testTimeout: 30000,
};
