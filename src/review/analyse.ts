import { channel } from "node:diagnostics_channel";
import type { RepoConfig } from "../config/repo-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import { analyzeMigrations, type AnalysisResult } from "../rules/engine.js";
import { useReplayAnalyser } from "../replay/verify.js";
import { loadSqlParser } from "../sql/parse.js";
import type { AnalysisPool, NotAnalysed } from "./analysis-pool.js";

/** The analysis of a review, and the changed files it could not finish (over a time or memory limit). */
export interface ReviewAnalysis extends AnalysisResult {
  notReviewed: NotAnalysed[];
}

/**
 * Where reviews are analysed: the server's worker pool once it set one (`useAnalysisPool`), else
 * this thread, as the CLI does (one review, no other tenant to keep waiting). Process-wide: the
 * server has one pool, and the pipeline's callers need not carry it.
 */
let pool: AnalysisPool | undefined;

/**
 * Analyses every later review on `next` (undefined: on this thread), and the replay's folders too
 * (with the trees the replay reads); the pool used before is closed.
 */
export async function useAnalysisPool(next: AnalysisPool | undefined): Promise<void> {
  const previous = pool;
  pool = next;
  useReplayAnalyser(
    next &&
      (async (files, migrations, config) => {
        const { result, notReviewed } = await next.analyse(files, migrations, config, "replay");
        return { result, notAnalysed: notReviewed };
      }),
  );
  if (previous && previous !== next) await previous.close();
}

/**
 * `{ phase: "start" | "end", migrations, inWorker }` when a review's analysis starts and ends: for
 * an operator's probe, and for the test that asks /healthz while an analysis runs.
 */
export const ANALYSIS_CHANNEL = "data-engineer:analysis";
const published = channel(ANALYSIS_CHANNEL);

/**
 * Step 3 of the review, run once: parse the migrations' SQL, follow the transaction and the locks
 * statement by statement, run the rules. Deterministic: the same files and configuration give
 * the same findings wherever the head commit was read, and on whichever thread.
 */
export async function analyse(files: readonly SourceFile[], migrations: readonly Migration[], config: RepoConfig): Promise<ReviewAnalysis> {
  const inWorker = pool !== undefined && migrations.length > 0;
  published.publish({ phase: "start", migrations: migrations.length, inWorker });
  try {
    return await analyseOnce(files, migrations, config);
  } finally {
    published.publish({ phase: "end", migrations: migrations.length, inWorker });
  }
}

async function analyseOnce(files: readonly SourceFile[], migrations: readonly Migration[], config: RepoConfig): Promise<ReviewAnalysis> {
  if (pool && migrations.length > 0) {
    const { result, notReviewed } = await pool.analyse(files, migrations, config);
    return { ...result, notReviewed };
  }
  await loadSqlParser();
  return { ...analyzeMigrations(files, migrations, { config }), notReviewed: [] };
}
