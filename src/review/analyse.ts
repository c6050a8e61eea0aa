import type { RepoConfig } from "../config/repo-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import { analyzeMigrations, type AnalysisResult } from "../rules/engine.js";
import { loadSqlParser } from "../sql/parse.js";

/**
 * Step 3 of the review, run once: parse the migrations' SQL, follow the transaction and the locks
 * statement by statement, run the rules. Deterministic: the same files and configuration give
 * the same findings wherever the head commit was read.
 */
export async function analyse(files: readonly SourceFile[], migrations: readonly Migration[], config: RepoConfig): Promise<AnalysisResult> {
  await loadSqlParser();
  return analyzeMigrations(files, migrations, { config });
}
