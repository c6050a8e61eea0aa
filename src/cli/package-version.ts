import { readFileSync } from "node:fs";
import { packageFile } from "../package-files.js";

/** data-engineer's version, from its package.json (SARIF's tool version, the CI client's user agent). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
