import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // build: dist/ for the tests that run it; child-processes: proves no process a helper started outlives the suite.
    globalSetup: ["test/setup/build.ts", "test/setup/child-processes.ts"],
    setupFiles: ["test/setup/no-network.ts"],
    reporters: ["default", "./test/setup/summary-line-reporter.ts"],
    testTimeout: 20_000,
    pool: "forks",
  },
});
