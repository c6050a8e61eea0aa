import type { AnalysisPoolSettings } from "./analysis-pool.js";

/**
 * The analysis pool's settings from the server's environment, and a sentence for each malformed one:
 *   ANALYSIS_WORKERS                     worker threads (default 1; 0 analyses on the event loop, as the CLI does)
 *   ANALYSIS_DEADLINE_SECONDS            per review, every migration included (default 60)
 *   ANALYSIS_MIGRATION_DEADLINE_SECONDS  per migration (default 20)
 *   ANALYSIS_MEMORY_MB                   each worker's JS heap (default 512)
 *   ANALYSIS_MAX_FILE_BYTES              the most bytes of one file sent to the parser (default 1 MiB, as gather reads)
 *   ANALYSIS_MAX_REVIEW_BYTES            the most bytes of one review's migrations (default 32 MiB; the replay's whole folders count)
 *   ANALYSIS_PARSER_MEMORY_MB            a worker whose parser (WebAssembly) memory grew past this is replaced after its review (default 512)
 *
 * The defaults: a 1 MiB migration of 27 000 DDL statements (the largest file a review reads) is
 * analysed in about 6 s on a busy 2-core machine with a heap of about 200 MB; the limits leave
 * three times that.
 */

export const ANALYSIS_DEFAULTS: Required<AnalysisPoolSettings> = {
  workers: 1,
  reviewDeadlineMs: 60_000,
  migrationDeadlineMs: 20_000,
  memoryMb: 512,
  maxFileBytes: 1024 * 1024,
  maxReviewBytes: 32 * 1024 * 1024,
  // libpg-query starts with 128 MiB and keeps what it grew to: a 1 MiB file leaves it there.
  parserMemoryMb: 512,
};

export interface AnalysisSettingsFromEnv {
  /** Undefined when ANALYSIS_WORKERS is 0: the analysis runs on the event loop. */
  settings: AnalysisPoolSettings | undefined;
  problems: string[];
}

function read(env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (n: number) => boolean, what: string, problems: string[]): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (Number.isFinite(value) && valid(value)) return value;
  problems.push(`${name} must be ${what}, not "${raw}".`);
  return fallback;
}

export function analysisSettingsFromEnv(env: NodeJS.ProcessEnv): AnalysisSettingsFromEnv {
  const problems: string[] = [];
  const workers = read(
    env,
    "ANALYSIS_WORKERS",
    ANALYSIS_DEFAULTS.workers,
    (n) => Number.isInteger(n) && n >= 0 && n <= 64,
    "a whole number from 0 to 64",
    problems,
  );
  const positive = (n: number) => n > 0;
  const reviewSeconds = read(env, "ANALYSIS_DEADLINE_SECONDS", ANALYSIS_DEFAULTS.reviewDeadlineMs / 1000, positive, "a number of seconds above 0", problems);
  const migrationSeconds = read(
    env,
    "ANALYSIS_MIGRATION_DEADLINE_SECONDS",
    ANALYSIS_DEFAULTS.migrationDeadlineMs / 1000,
    positive,
    "a number of seconds above 0",
    problems,
  );
  // Below 64 MiB the worker cannot load the parser and the rules.
  const memoryMb = read(
    env,
    "ANALYSIS_MEMORY_MB",
    ANALYSIS_DEFAULTS.memoryMb,
    (n) => Number.isInteger(n) && n >= 64,
    "a whole number of MiB, at least 64",
    problems,
  );
  const wholePositive = (n: number) => Number.isInteger(n) && n >= 1;
  const maxFileBytes = read(env, "ANALYSIS_MAX_FILE_BYTES", ANALYSIS_DEFAULTS.maxFileBytes, wholePositive, "a whole number of bytes above 0", problems);
  const maxReviewBytes = read(env, "ANALYSIS_MAX_REVIEW_BYTES", ANALYSIS_DEFAULTS.maxReviewBytes, wholePositive, "a whole number of bytes above 0", problems);
  const parserMemoryMb = read(env, "ANALYSIS_PARSER_MEMORY_MB", ANALYSIS_DEFAULTS.parserMemoryMb, wholePositive, "a whole number of MiB above 0", problems);
  const settings =
    workers === 0
      ? undefined
      : {
          workers,
          reviewDeadlineMs: reviewSeconds * 1000,
          migrationDeadlineMs: migrationSeconds * 1000,
          memoryMb,
          maxFileBytes,
          maxReviewBytes,
          parserMemoryMb,
        };
  return { settings, problems };
}
