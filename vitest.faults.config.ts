import { defineConfig } from "vitest/config";

/** The fault suite (npm run test:faults): processes killed, stopped, cut off; platforms down; clocks jumping. */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
