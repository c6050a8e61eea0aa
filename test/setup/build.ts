import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

/**
 * Builds dist/ once before the tests, so that tests of `npm start` and the `data-engineer`
 * binary run exactly what users run: tsc's dist/, then the bundles in dist/bundle/ (not the
 * committed dist-action/, which test/bundle.test.ts compares with a rebuild instead).
 */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
  execFileSync(process.execPath, ["scripts/bundle.js", "--only", "cli"], { stdio: "inherit" });
}
