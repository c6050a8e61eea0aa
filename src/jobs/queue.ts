/**
 * The job queue port. Webhook handlers enqueue; a processor runs the jobs. Two adapters keep the
 * same semantics: the embedded store on `node:sqlite` in DATA_DIR (one replica) and BullMQ on
 * Redis (any number of replicas). One contract test suite (test/jobs/queue-contract.ts) runs
 * against both.
 *
 * Semantics every adapter keeps:
 * - **Dedupe**: `id` is the webhook's delivery id (a redelivery keeps it); a second enqueue of an
 *   id the queue still remembers (queued, running or finished within `retentionMs`) is refused.
 * - **Coalesce**: jobs sharing a `coalesceKey` (one pull request) run one at a time and the newest
 *   wins: enqueueing one supersedes every older job of the key that has not finished. A queued one
 *   never runs; a running one has its signal aborted with a {@link JobAbortedError}("superseded")
 *   and the newer job starts only after it has settled. Either way `processor.superseded` is called
 *   once for the older job and it ends in state `superseded`.
 * - **Concurrency**: at most `concurrency` jobs run in one process, at most `perInstallation` jobs
 *   of one installation run at once (in the process for the embedded store, across replicas on Redis).
 * - **Retries**: a run that throws is retried after a backoff (`baseMs · 2^(attempt-1)`, capped at
 *   `maxMs`), or later when the error says how long GitHub wants us to wait (a rate limit's
 *   Retry-After: `retryAfterMs`), while fewer than `maxAttempts` runs have been made and the next run
 *   would start within `retryBudgetMs` of the enqueue (a GitHub outage or a long rate limit is
 *   waited out, not five quick attempts); a {@link PermanentJobError} is not retried. Then
 *   `processor.deadLetter` is called with the reason and the job ends in state `dead`.
 * - **Recovery**: jobs that were running when a process died run again (an attempt is counted
 *   when a run starts, so a job that keeps killing the process ends dead). A `superseded` or
 *   `deadLetter` call that threw is called again every HOOK_RETRY_MS (hook-retry.ts) for up to a
 *   day after the enqueue, and at the next `start`; one that threw a {@link PermanentJobError} is dropped.
 * - **Shutdown**: `stop(graceMs)` takes no new jobs, lets running ones finish for up to `graceMs`,
 *   then aborts the rest with {@link JobAbortedError}("shutdown") and puts them back in the queue
 *   without counting the attempt, also when a run does not settle after its abort (a request to
 *   GitHub that hangs). `enqueue` keeps working until `close`: a webhook that comes
 *   during the grace period is stored, and runs at the next start or on another replica.
 * - **Latest heads**: `heads` records the newest head commit announced per pull request, in the
 *   same store (shared by the replicas on Redis), for the last look before a review is posted.
 */

import type { LatestHeadStore } from "./latest-heads.js";
import type { OpenCheckRunLedger } from "./open-check-runs.js";
import type { QueueClock } from "./queue-clock.js";

export type JobState = "queued" | "running" | "done" | "dead" | "superseded";
export const JOB_STATES: readonly JobState[] = ["queued", "running", "done", "dead", "superseded"];

/** A job's data: plain JSON. */
export type JobPayload = { [key: string]: unknown };

export interface NewJob {
  /** The dedupe key: the delivery id, with a suffix when one delivery makes several jobs. */
  id: string;
  /** Which processor branch runs it ("review", "command", …). */
  kind: string;
  /** The GitHub App installation the job acts for (per-installation concurrency). */
  installationId?: number;
  /** Jobs with the same key run one at a time, newest wins (a pull request: `repoId#number`). */
  coalesceKey?: string;
  payload: JobPayload;
}

export interface Job {
  id: string;
  kind: string;
  installationId?: number;
  coalesceKey?: string;
  payload: JobPayload;
  /** Runs started so far, this one included when the job is running (1 on its first run). */
  attempts: number;
  /** When it was enqueued (epoch milliseconds). */
  enqueuedAt: number;
}

export interface JobRunContext {
  /** Aborted with a JobAbortedError when a newer job supersedes this one or the process stops. */
  signal: AbortSignal;
  /** This run's number, from 1. */
  attempt: number;
  maxAttempts: number;
  /**
   * Whether a failure of this run will not be retried whatever it is (the attempts or the time
   * budget are spent): the run then reports its own failure. Absent: `attempt >= maxAttempts`.
   */
  final?: boolean;
}

/** What a job's signal is aborted with. */
export class JobAbortedError extends Error {
  constructor(readonly why: "superseded" | "shutdown") {
    super(why === "superseded" ? "a newer job for the same pull request replaced this one" : "the server is shutting down");
    this.name = "JobAbortedError";
  }
}

/** Thrown by a processor for a failure that another attempt cannot fix: no retry. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

export interface JobProcessor {
  run(job: Job, context: JobRunContext): Promise<void>;
  /** The job was replaced by a newer one with its coalesce key (it never ran, or it was aborted). */
  superseded(job: Job): Promise<void>;
  /** The job failed for the last time; `reason` is the last error's message. */
  deadLetter(job: Job, reason: string): Promise<void>;
  /** A run failed and the job will run again after `delayMs`. Optional; errors are logged only. */
  retrying?(job: Job, reason: string, delayMs: number): Promise<void>;
}

export interface QueueSettings {
  /** Jobs running at once in this process. */
  concurrency: number;
  /** Jobs of one installation running at once. */
  perInstallation: number;
  /** Runs before a failing job is dead-lettered (at most; the time budget may end it first). */
  maxAttempts: number;
  /** How long after its enqueue a failing job may still be run again. */
  retryBudgetMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** How long finished jobs are remembered for dedupe (GitHub lets users redeliver for 3 days). */
  retentionMs: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  concurrency: 4,
  perInstallation: 2,
  // With the backoff below, 30 minutes hold about 20 runs: the time budget ends first.
  maxAttempts: 30,
  retryBudgetMs: 30 * 60_000,
  backoff: { baseMs: 2_000, maxMs: 120_000 },
  retentionMs: 4 * 24 * 60 * 60 * 1000,
};

export interface RecoveryReport {
  /** Jobs found running from a process that died, put back in the queue. */
  requeued: number;
  /** `superseded`/`deadLetter` calls that had failed and were made again. */
  hooksRetried: number;
}

export interface StopReport {
  /** Running jobs that finished within the grace period. */
  finished: number;
  /** Running jobs aborted at the end of the grace period and put back in the queue. */
  requeued: number;
}

export interface JobQueue {
  readonly adapter: "embedded" | "bullmq";
  /** The newest head announced per pull request (./latest-heads.ts), in the queue's store. */
  readonly heads: LatestHeadStore;
  /** Our check runs still in progress (./open-check-runs.ts); the embedded store only, for now. */
  readonly checkRuns?: OpenCheckRunLedger;
  /** The clock the queue runs on (the in-progress sweeper runs on it too); the system clock when absent. */
  readonly queueClock?: QueueClock;
  /** `enqueued: false` when the id is known already (a redelivery or a duplicate). */
  enqueue(job: NewJob): Promise<{ enqueued: boolean }>;
  /** Recovers what an earlier process left, then runs jobs with `processor` until `stop`. */
  start(processor: JobProcessor): Promise<RecoveryReport>;
  /** Stops taking jobs, waits up to `graceMs` for running ones, re-queues the rest. */
  stop(graceMs: number): Promise<StopReport>;
  /** Jobs by state (finished ones within the retention). */
  counts(): Promise<Record<JobState, number>>;
  /** Throws when the store (the SQLite file, Redis) cannot be used. */
  ping(): Promise<void>;
  /** Releases connections and files; call after `stop`. */
  close(): Promise<void>;
}

/** The delay before run `attempt + 1`, after run `attempt` failed. */
export function backoffDelay(attempt: number, backoff: QueueSettings["backoff"]): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Whether no failure of run `attempt` can be retried: attempts spent, or even the shortest backoff ends past the time budget. */
export function isFinalRun(
  job: Pick<Job, "enqueuedAt">,
  attempt: number,
  settings: Pick<QueueSettings, "maxAttempts" | "retryBudgetMs" | "backoff">,
  now: number,
): boolean {
  return attempt >= settings.maxAttempts || now + backoffDelay(attempt, settings.backoff) - job.enqueuedAt > settings.retryBudgetMs;
}

/** How long the failure says to wait (ms): GitHubApiError.retryAfterMs, on the error or its causes. */
export function retryAfterOf(error: unknown, depth = 0): number | undefined {
  if (error === null || typeof error !== "object" || depth > 5) return undefined;
  const wait = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof wait === "number" && Number.isFinite(wait) && wait >= 0) return wait;
  return retryAfterOf((error as { cause?: unknown }).cause, depth + 1);
}

/**
 * Whether a job whose run `attempt` just failed runs again, and after how long: the backoff, or
 * longer when GitHub said when (a rate limit's Retry-After), within the attempts and the time
 * budget. Both adapters decide with it.
 */
export function retryPlan(
  job: Pick<Job, "enqueuedAt">,
  attempt: number,
  error: unknown,
  settings: Pick<QueueSettings, "maxAttempts" | "retryBudgetMs" | "backoff">,
  now: number,
): { retry: true; delayMs: number } | { retry: false } {
  if (error instanceof PermanentJobError || attempt >= settings.maxAttempts) return { retry: false };
  const delayMs = Math.max(backoffDelay(attempt, settings.backoff), Math.ceil(retryAfterOf(error) ?? 0));
  if (now + delayMs - job.enqueuedAt > settings.retryBudgetMs) return { retry: false };
  return { retry: true, delayMs };
}

/** The message of a failure, for `deadLetter` and logs. */
export function failureReason(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
