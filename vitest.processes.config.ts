import { defineConfig } from "vitest/config";

/**
 * Tests that start real bot processes and measure seconds of real time (kill -9 and
 * restart, gateway takeover, the console as users run it). One file at a time, so their
 * timing does not depend on what else the machine is running.
 */
export default defineConfig({
  test: {
    include: ["test/processes/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
