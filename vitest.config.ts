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
    // As production starts (package.json "start", the Dockerfile's CMD, the binary's #! line):
    // WebAssembly compiled by Liftoff only. libpg-query's and PGlite's modules are then never
    // recompiled by TurboFan in the test processes, which saves CPU and memory on a loaded CI
    // machine; one CI run had a fork abort in V8's JIT page bookkeeping (`jit_page.has_value()`)
    // while replaying in PGlite.
    execArgv: ["--liftoff-only"],
  },
});
