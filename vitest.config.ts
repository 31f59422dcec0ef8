import { defineConfig } from "vitest/config";

/** In-process tests, run two files at a time. Real-process tests: vitest.processes.config.ts. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/processes/**", "test/faults/**"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
