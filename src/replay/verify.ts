import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.js";
import { detectMigrations, detectOptionsOf } from "../migrations/detect.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { AnalysisConfig } from "../config/analysis-config.js";
import { analyzeMigrations, type AnalysisResult } from "../rules/engine.js";
import { loadSqlParser } from "../sql/parse.js";
import { hasTemplates } from "../sql/template-mask.js";
import type { EngineOptions, ReplayEngine } from "./engine.js";
import { isReplayable, replayMigrations, type ReplayCache, type ReplayOutcome, type ReplayTools } from "./replay-migrations.js";

/**
 * Verify by replay, for a set of files: every migration folder the pull request touches is
 * replayed on a database of its own (a folder is one database's history), its base history first.
 * Used by the app's review and by `data-engineer replay`.
 */

export interface VerifyInput {
  /** Every file of the migration folders at the head commit (base history and the pull request's). */
  files: readonly SourceFile[];
  /** The pull request's migrations are those with a file here; `"all"` replays every migration as its own (the CLI). */
  changed: ReadonlySet<string> | "all";
  config: RepoConfig;
}

export interface VerifyDependencies<F> {
  openEngine(options: EngineOptions): Promise<ReplayEngine>;
  tools: ReplayTools<F>;
  cache?: ReplayCache;
  engineTag?: string;
  log?: Logger;
  signal?: AbortSignal;
  /** Tests pass a clock. */
  now?: () => number;
}

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

/** In this thread, as the CLI runs it (one replay, no other tenant waiting on its event loop). */
const inThisThread: ReplayAnalyser = async (files, migrations, config) => {
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

export async function verifyByReplay<F>(input: VerifyInput, deps: VerifyDependencies<F>): Promise<ReplayOutcome> {
  const now = deps.now ?? Date.now;
  const deadline = now() + input.config.replay.deadlineSeconds * 1000;
  const migrations = detectMigrations(input.files, detectOptionsOf(input.config));
  const { changed } = input;
  const isChanged = changed === "all" ? () => true : (path: string) => changed.has(path);
  const ours = (m: Migration) => m.files.some(isChanged);
  const folders = [...new Set(migrations.filter((m) => ours(m) && isReplayable(m)).map((m) => m.folder))];
  if (folders.length === 0) return emptyOutcome("skipped", "no plain-SQL migration of the pull request to replay");

  const outcomes: ReplayOutcome[] = [];
  const texts = new Map(input.files.map((file) => [file.path, file.text]));
  for (const folder of folders) {
    const inFolder = migrations.filter((m) => m.folder === folder);
    // A template ({{ }}, ${ }, :var) is rendered by its tool when it runs; the replay cannot
    // render it, and running the raw text would fail on the first placeholder for no fault of the SQL.
    const templated = inFolder.flatMap((m) => m.files).find((path) => hasTemplates(texts.get(path) ?? ""));
    if (templated !== undefined) {
      outcomes.push(emptyOutcome("skipped", `${folder} not replayed: ${templated} is templated SQL, which only its tool can render`));
      continue;
    }
    const { result: analysis, notAnalysed } = await analyser(input.files, inFolder, input.config);
    const [first] = notAnalysed;
    if (first) {
      // Without one of its migrations the folder's history is not the one the pull request builds on.
      outcomes.push(emptyOutcome("unavailable", `${folder} not replayed: ${first.path} was not analysed: ${first.reason}`));
      continue;
    }
    const left = deadline - now();
    if (left <= 0) {
      outcomes.push(
        emptyOutcome("unavailable", `replay unavailable: the deadline of ${input.config.replay.deadlineSeconds} s passed before ${folder} was replayed`),
      );
      break;
    }
    outcomes.push(
      await replayMigrations({
        analysis,
        isPullRequestMigration: ours,
        isChangedFile: isChanged,
        openEngine: (from) =>
          deps.openEngine({
            deadlineMs: left,
            limitMs: input.config.replay.deadlineSeconds * 1000,
            ...(from ? { from } : {}),
            extensions: extensionsIn(analysis),
          }),
        tools: deps.tools,
        ...(deps.cache ? { cache: deps.cache } : {}),
        ...(deps.engineTag ? { engineTag: deps.engineTag } : {}),
        ...(deps.log ? { log: deps.log } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
      }),
    );
  }
  return withRuleSettings(mergeOutcomes(outcomes), input.config.rules);
}

/** The repository's `rules:` settings apply to the replay's findings as to the analyser's: off, or another severity. */
function withRuleSettings(outcome: ReplayOutcome, rules: RepoConfig["rules"]): ReplayOutcome {
  const findings = outcome.findings.flatMap((finding) => {
    const setting = rules[finding.rule];
    if (setting === undefined) return [finding];
    if (setting === "off") return [];
    return [{ ...finding, severity: setting }];
  });
  return { ...outcome, findings };
}

/** `CREATE EXTENSION` names anywhere in the folder, for the engine to load before it starts. */
function extensionsIn(analysis: AnalysisResult): string[] {
  const names = new Set<string>();
  for (const migration of analysis.migrations) {
    for (const section of migration.sections) {
      for (const statement of section.statements) {
        if (statement.kind !== "CreateExtensionStmt") continue;
        const name = (statement.node as { CreateExtensionStmt?: { extname?: string } }).CreateExtensionStmt?.extname;
        if (name) names.add(name);
      }
    }
  }
  return [...names];
}

function emptyOutcome(status: ReplayOutcome["status"], reason: string): ReplayOutcome {
  return { status, reason, findings: [], migrations: [], baseMigrations: 0, fromCache: false, locks: { compared: 0, stronger: [] }, durationMs: 0 };
}

function mergeOutcomes(outcomes: readonly ReplayOutcome[]): ReplayOutcome {
  const [first] = outcomes;
  if (outcomes.length === 1 && first) return first;
  const unavailable = outcomes.find((o) => o.status === "unavailable");
  const replayed = outcomes.some((o) => o.status === "replayed");
  const reasons = outcomes.map((o) => o.reason).filter((r): r is string => r !== undefined);
  const engine = outcomes.find((o) => o.engine)?.engine;
  return {
    status: unavailable ? "unavailable" : replayed ? "replayed" : "skipped",
    ...(reasons.length > 0 ? { reason: reasons.join("; ") } : {}),
    ...(engine ? { engine } : {}),
    findings: outcomes.flatMap((o) => o.findings),
    migrations: outcomes.flatMap((o) => o.migrations),
    baseMigrations: outcomes.reduce((n, o) => n + o.baseMigrations, 0),
    fromCache: outcomes.every((o) => o.fromCache),
    locks: { compared: outcomes.reduce((n, o) => n + o.locks.compared, 0), stronger: outcomes.flatMap((o) => o.locks.stronger) },
    durationMs: outcomes.reduce((n, o) => n + o.durationMs, 0),
  };
}

/** What the review needs to replay: built once per process from the environment (src/replay/runner.ts). */
export interface ReplayRunner {
  run(input: VerifyInput, options: { log?: Logger; signal?: AbortSignal; installationId?: number }): Promise<ReplayOutcome>;
}
