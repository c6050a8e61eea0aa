import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnalysisConfig } from "../config/analysis-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { LintMigration, LintStatementJson } from "../report/lint-json.js";
import { analyzeMigrationsCached, type Projection } from "../rules/cached-analysis.js";
import { analyzeMigrations } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { FileResultStore } from "../rules/result-store.js";
import { loadSqlParser } from "../sql/parse.js";
import { packageVersion } from "./package-version.js";

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
 * a millisecond per hundred modules; one file when bundled.
 */
export function toolVersion(): string {
  if (fingerprint === undefined) {
    const root = fileURLToPath(new URL("../", import.meta.url));
    const hash = createHash("sha256").update(packageVersion());
    let names: string[] = [];
    try {
      names = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((name) => /\.(?:[cm]?js|ts)$/.test(name));
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

/**
 * lint's analysis: through the result cache when `env` names a cache folder (undefined for
 * --no-cache), else every migration analysed. `projection` keeps the statements for --details.
 */
export async function lintCached(
  files: readonly SourceFile[],
  migrations: readonly Migration[],
  options: { config: AnalysisConfig; env: NodeJS.ProcessEnv | undefined; projection: Projection<LintStatementJson[][]> | undefined },
): Promise<{ migrations: LintMigration[]; findings: Finding[] }> {
  const store = options.env ? resultStoreFor(options.env) : undefined;
  if (!store) {
    // Only a run with something to parse pays for the parser's WASM.
    if (migrations.length > 0) await loadSqlParser();
    const result = analyzeMigrations(files, migrations, { config: options.config });
    const of = options.projection?.of;
    return {
      migrations: result.migrations.map((analysis) => ({ migration: analysis.migration, ...(of ? { statements: of(analysis) } : {}) })),
      findings: result.findings,
    };
  }
  const result = await analyzeMigrationsCached(files, migrations, {
    config: options.config,
    store,
    toolVersion: toolVersion(),
    ...(options.projection ? { projection: options.projection } : {}),
  });
  store.prune();
  return {
    migrations: result.migrations.map((m) => ({ migration: m.migration, ...(m.projected ? { statements: m.projected } : {}) })),
    findings: result.findings,
  };
}
