import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Files data-engineer ships beside its code (package.json, agents/, examples/, docs/), found from
 * wherever the running module is: src/ under the tests, dist/ after tsc, dist/bundle/ or
 * dist-action/ as esbuild's bundles. A fixed `../../` from `import.meta.url` holds for one of those
 * layouts only, so the folder is found by walking up to data-engineer's own package.json.
 */

const PACKAGE_NAME = "data-engineer";
let root: string | undefined;

function isOurPackage(dir: string): boolean {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The folder holding data-engineer's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isOurPackage(dir)) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`data-engineer's package.json is not in any folder above ${start}`);
  }
}

/** A path inside the package, e.g. `packageFile("agents", "data-engineer.md")`. */
export function packageFile(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
