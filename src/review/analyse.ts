import { channel } from "node:diagnostics_channel";
import type { RepoConfig } from "../config/repo-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import { analyzeMigrations, type AnalysisResult } from "../rules/engine.js";
import { useReplayAnalyser } from "../replay/verify.js";
import { loadSqlParser } from "../sql/parse.js";
import type { AnalysisPool, NotAnalysed } from "./analysis-pool.js";
import { analysisKey, cachedAnalysis, storeAnalysis, type ReviewAnalysisCache } from "./analysis-cache.js";

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
 * The result cache reviews' analyses are looked up in and stored to (analysis-cache.ts), when one
 * is set: the CLI's under the user's cache folder, the server's under DATA_DIR. Process-wide, like
 * the pool.
 */
let cache: ReviewAnalysisCache | undefined;

export function useAnalysisCache(next: ReviewAnalysisCache | undefined): void {
  cache = next;
}

/**
 * With a pool, a hit is assembled and a result serialised on the event loop: only analyses up to
 * this many statements (about a millisecond of V8 deserialisation each hundred); larger ones
 * are analysed in the pool every time, as without a cache, so a long migration never holds the
 * event loop every tenant shares.
 */
export const POOLED_CACHE_MAX_STATEMENTS = 2000;
const POOLED_CACHE_MAX_BYTES = 1024 * 1024;

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
  const using = migrations.length > 0 ? cache : undefined;
  const key = using ? analysisKey(using, files, migrations, config) : undefined;
  if (using && key) {
    const hit = cachedAnalysis(using, key, migrations, pool ? POOLED_CACHE_MAX_BYTES : Infinity);
    if (hit) return { ...hit, notReviewed: [] };
  }
  let analysis: ReviewAnalysis;
  if (pool && migrations.length > 0) {
    const { result, notReviewed } = await pool.analyse(files, migrations, config);
    analysis = { ...result, notReviewed };
  } else {
    await loadSqlParser();
    analysis = { ...analyzeMigrations(files, migrations, { config }), notReviewed: [] };
  }
  // Only a complete analysis is stored: one with a migration over a limit would answer without it.
  const statements = analysis.migrations.reduce((sum, m) => sum + m.sections.reduce((n, s) => n + s.statements.length, 0), 0);
  if (using && key && analysis.notReviewed.length === 0 && (!pool || statements <= POOLED_CACHE_MAX_STATEMENTS))
    storeAnalysis(using, key, analysis, migrations);
  return analysis;
}
