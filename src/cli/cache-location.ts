import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileResultStore } from "../rules/result-store.js";
import { packageVersion } from "./package-version.js";

/**
 * Where the CLI's result cache lives and which build wrote an entry: imported by the run cache
 * (src/cli/lint-run-cache.ts) before anything of the analysis is loaded, so it imports none of it.
 */

/**
 * The CLI's result cache folder: `DATA_ENGINEER_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/data-engineer/lint-results`, else `$HOME/.cache/data-engineer/lint-results`
 * (beside the replay's `replay-cache`); none (no cache) when the environment names no home, as in
 * a test that passes an empty environment.
 */
export function cacheDirOf(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DATA_ENGINEER_CACHE_DIR) return env.DATA_ENGINEER_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "data-engineer", "lint-results");
  if (env.HOME) return join(env.HOME, ".cache", "data-engineer", "lint-results");
  return undefined;
}

export function resultStoreFor(env: NodeJS.ProcessEnv | undefined): FileResultStore | undefined {
  const dir = cacheDirOf(env ?? {});
  return dir ? new FileResultStore(dir) : undefined;
}

let fingerprint: string | undefined;

/**
 * The version and a fingerprint of the running code (each module's path, size and mtime): a
 * rebuilt checkout with a changed rule and the same package version must not reuse results. About
 * a millisecond per hundred modules. Bundled (esbuild's output, with the parser's WASM beside the
 * chunks), the bundle's own folder is the code: the tsc build beside it is not what runs.
 */
export function toolVersion(): string {
  if (fingerprint === undefined) {
    const here = fileURLToPath(new URL("./", import.meta.url));
    const bundled = existsSync(join(here, "libpg-query.wasm"));
    const root = bundled ? here : fileURLToPath(new URL("../", import.meta.url));
    const hash = createHash("sha256").update(packageVersion());
    let names: string[] = [];
    try {
      names = readdirSync(root, { recursive: !bundled, encoding: "utf8" }).filter((name) => /\.(?:[cm]?js|ts)$/.test(name));
    } catch {
      // unreadable code folder: the version alone
    }
    for (const name of names.sort()) {
      try {
        const stat = statSync(join(root, name));
        hash.update(`\0${name}\0${stat.size}\0${stat.mtimeMs}`);
      } catch {
        // removed meanwhile
      }
    }
    fingerprint = `${packageVersion()}+${hash.digest("hex").slice(0, 16)}`;
  }
  return fingerprint;
}
