import type { AnalysisConfig } from "../config/analysis-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { LintMigration, LintStatementJson } from "../report/lint-json.js";
import { analyzeMigrationsCached, type Projection } from "../rules/cached-analysis.js";
import { analyzeMigrations } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { loadSqlParser } from "../sql/parse.js";
import { resultStoreFor, toolVersion } from "./cache-location.js";

export { cacheDirOf, resultStoreFor, toolVersion } from "./cache-location.js";

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
