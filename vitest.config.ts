import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/build.ts"],
    setupFiles: ["test/setup/no-network.ts"],
    reporters: ["default", "./test/setup/summary-line-reporter.ts"],
    testTimeout: 20_000,
    pool: "forks",
  },
});
