import type { AnalysisConfig } from "../config/analysis-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { AnalysisResult } from "../rules/engine.js";

/**
 * The analysis the replay runs on: its statements' texts, lines, kinds, lock models and the few
 * trees the replay reads. `notAnalysed`: files the analysis could not finish (over a limit of
 * the server's analysis pool), which leave the folder's history incomplete.
 */
export type ReplayAnalyser = (
  files: readonly SourceFile[],
  migrations: readonly Migration[],
  config: AnalysisConfig,
) => Promise<{ result: AnalysisResult; notAnalysed: ReadonlyArray<{ path: string; reason: string }> }>;

/**
 * In this thread, as the CLI runs it (one replay, no other tenant waiting on its event loop). The
 * rules engine and the parser are imported when a replay first analyses: the review's analysis
 * (src/review/analyse.ts) sets the analyser on every run, and a review answered from its result
 * cache loads neither.
 */
const inThisThread: ReplayAnalyser = async (files, migrations, config) => {
  const [{ analyzeMigrations }, { loadSqlParser }] = await Promise.all([import("../rules/engine.js"), import("../sql/parse.js")]);
  await loadSqlParser();
  return { result: analyzeMigrations(files, migrations, { config }), notAnalysed: [] };
};

/**
 * Process-wide, as the review's analysis is (src/review/analyse.ts sets both): the server's
 * analysis pool, so that the replay never parses a pull request's SQL on the event loop.
 */
let analyser: ReplayAnalyser = inThisThread;

/** Analyses every later replay's folders with `next` (undefined: on this thread). */
export function useReplayAnalyser(next: ReplayAnalyser | undefined): void {
  analyser = next ?? inThisThread;
}

/** The analyser replays use now. */
export function replayAnalyser(): ReplayAnalyser {
  return analyser;
}
