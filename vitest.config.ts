import { defineConfig } from 'vitest/config';

// Each test file gets its own database (tests/helpers/db.ts): a PGlite restored from a
// migrated template, or a fresh PostgreSQL database when DATABASE_URL is set.
export default defineConfig({
  // graphql 16 ships CommonJS (main) and ESM (module) builds. Node loads the CommonJS one
  // for Pothos and Yoga; Vite would give test files the ESM one, and graphql refuses types
  // from "another realm". Point tests at the build Node uses.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['tests/**/*.test.ts', 'adapters/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
