import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Logger } from "pino";
import { runWithAbortSignal } from "../github/job-signal.js";
import { lockDatabase } from "./data-dir-lock.js";
import { HOOK_RETRY_FOR_MS, HOOK_RETRY_MS } from "./hook-retry.js";
import { SqliteLatestHeads } from "./latest-heads.js";
import { SqliteOpenCheckRuns, type OpenCheckRunLedger } from "./open-check-runs.js";
import { systemQueueClock, type QueueClock } from "./queue-clock.js";
import {
  DEFAULT_QUEUE_SETTINGS,
  JOB_STATES,
  JobAbortedError,
  PermanentJobError,
  failureReason,
  isFinalRun,
  retryPlan,
  type Job,
  type JobPayload,
  type JobProcessor,
  type JobQueue,
  type JobState,
  type NewJob,
  type QueueSettings,
  type RecoveryReport,
  type StopReport,
} from "./queue.js";

/**
 * The embedded job store: one SQLite file (`jobs.sqlite` in DATA_DIR) through `node:sqlite`, for
 * one replica. Every state change is written before it takes effect, so a process killed at any
 * point leaves jobs that the next start runs again. SQLite's exclusive lock keeps a second process from
 * using the same directory. The semantics are those of the port (queue.ts).
 */

export interface EmbeddedQueueOptions {
  /** The directory holding `jobs.sqlite`; created when missing. */
  dataDir: string;
  settings?: Partial<QueueSettings>;
  log?: Logger;
  /** Tests pass a clock; production uses Date.now. Superseded by `clock` when both are given. */
  now?: () => number;
  /** When it is and the timer for the next delayed job (tests inject a virtual clock); the system clock by default. */
  clock?: QueueClock;
}

/** A hook still to call; "-failed" once it threw, until `run_at` (HOOK_RETRY_MS later) or the next start. */
type HookKind = "superseded" | "dead" | "superseded-failed" | "dead-failed";

interface JobRow {
  id: string;
  kind: string;
  installation_id: number | null;
  coalesce_key: string | null;
  payload: string;
  state: JobState;
  attempts: number;
  run_at: number;
  enqueued_at: number;
  last_error: string | null;
  hook_pending: HookKind | null;
}

interface Running {
  job: Job;
  controller: AbortController;
  settled: Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  installation_id INTEGER,
  coalesce_key TEXT,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_error TEXT,
  hook_pending TEXT
);
CREATE INDEX IF NOT EXISTS jobs_runnable ON jobs (state, run_at, enqueued_at);
CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs (coalesce_key, state);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (state, updated_at);
CREATE INDEX IF NOT EXISTS jobs_hooks ON jobs (hook_pending, run_at);
PRAGMA user_version = 1;
`;

/** How often finished jobs older than the retention are deleted. */
const PURGE_INTERVAL_MS = 60 * 60_000;
/** How long stop() waits for aborted runs to settle. */
const ABORT_SETTLE_MS = 5_000;
/** Queued jobs read per look for work (those waiting on a busy pull request or installation are skipped). */
const SCAN_LIMIT = 500;

/** The embedded queue; `whenIdle` is for tests and benchmarks that wait for all work to end. */
export interface EmbeddedJobQueue extends JobQueue {
  /** Resolves once no job is queued or running and no superseded/dead-letter call is pending. */
  whenIdle(pollMs?: number): Promise<void>;
  /** The embedded store always keeps the ledger of our in-progress check runs. */
  readonly checkRuns: OpenCheckRunLedger;
}

export function createEmbeddedQueue(options: EmbeddedQueueOptions): EmbeddedJobQueue {
  return new EmbeddedQueue(options);
}

class EmbeddedQueue implements EmbeddedJobQueue {
  readonly adapter = "embedded" as const;
  private readonly settings: QueueSettings;
  private readonly now: () => number;
  private readonly clock: QueueClock;
  private readonly log: Logger | undefined;
  private readonly db: DatabaseSync;
  private readonly statements: ReturnType<typeof prepare>;
  readonly heads: SqliteLatestHeads;
  /** Our check runs still in progress (open-check-runs.ts), for the in-progress sweeper. */
  readonly checkRuns: SqliteOpenCheckRuns;
  /** The queue's clock, which the sweeper runs on too. */
  readonly queueClock: QueueClock;
  private readonly running = new Map<string, Running>();
  private processor: JobProcessor | undefined;
  private accepting = false;
  private closed = false;
  private cancelTimer: (() => void) | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private pumping = false;
  private pumpAgain = false;
  private hooksRunning = false;

  constructor(options: EmbeddedQueueOptions) {
    this.settings = { ...DEFAULT_QUEUE_SETTINGS, ...options.settings };
    const now = options.now;
    this.clock = options.clock ?? (now ? { ...systemQueueClock, now } : systemQueueClock);
    this.now = () => this.clock.now();
    this.queueClock = this.clock;
    this.log = options.log;
    mkdirSync(options.dataDir, { recursive: true });
    this.db = new DatabaseSync(join(options.dataDir, "jobs.sqlite"));
    try {
      lockDatabase(this.db, options.dataDir);
      this.db.exec("PRAGMA synchronous = NORMAL;");
      this.db.exec(SCHEMA);
      this.statements = prepare(this.db);
      this.heads = new SqliteLatestHeads(this.db, this.now);
      this.checkRuns = new SqliteOpenCheckRuns(this.db, this.now);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  enqueue(job: NewJob): Promise<{ enqueued: boolean }> {
    const now = this.now();
    const supersede: string[] = [];
    const inserted = this.transaction(() => {
      const result = this.statements.insert.run(
        job.id,
        job.kind,
        job.installationId ?? null,
        job.coalesceKey ?? null,
        JSON.stringify(job.payload),
        now,
        now,
        now,
      );
      if (Number(result.changes) === 0) return false;
      if (job.coalesceKey !== undefined) {
        this.statements.supersedeQueued.run(now, job.coalesceKey, job.id);
        for (const [id, run] of this.running) if (run.job.coalesceKey === job.coalesceKey) supersede.push(id);
      }
      return true;
    });
    for (const id of supersede) this.running.get(id)?.controller.abort(new JobAbortedError("superseded"));
    if (inserted) this.schedulePump();
    return Promise.resolve({ enqueued: inserted });
  }

  start(processor: JobProcessor): Promise<RecoveryReport> {
    if (this.closed) return Promise.reject(new Error("the job queue is closed"));
    this.processor = processor;
    // A job whose every run ended with its process (it crashes or exhausts the server) stops here.
    const dead = Number(this.statements.deadRunning.run(this.now(), this.settings.maxAttempts).changes);
    if (dead > 0) this.log?.error({ dead }, "jobs that were running when the process stopped, on each of their runs, are dead");
    const requeued = Number(this.statements.requeueRunning.run(this.now()).changes);
    this.statements.unparkHooks.run(this.now());
    const hooksRetried = (this.statements.countHooks.get() as { n: number }).n;
    if (requeued > 0) this.log?.warn({ requeued }, "jobs that were running when the last process stopped are queued again");
    this.purge();
    this.purgeTimer = setInterval(() => this.purge(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
    this.accepting = true;
    this.schedulePump();
    return Promise.resolve({ requeued, hooksRetried });
  }

  async stop(graceMs: number): Promise<StopReport> {
    if (this.closed) return { finished: 0, requeued: 0 };
    this.accepting = false;
    this.cancelTimer?.();
    clearInterval(this.purgeTimer);
    const inFlight = [...this.running.values()];
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (deadline = setTimeout(() => resolve("timeout"), graceMs)));
    await Promise.race([Promise.all(inFlight.map((run) => run.settled)), timedOut]);
    clearTimeout(deadline);
    const left = [...this.running.values()];
    for (const run of left) run.controller.abort(new JobAbortedError("shutdown"));
    // A run that ignores its signal is not waited for long. It goes back to the queue now,
    // without counting its attempt (a request to GitHub that hangs is no failure of the job); if
    // it settles later, the requeue of a row no longer running changes nothing.
    let settleDeadline: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(left.map((run) => run.settled)), new Promise((resolve) => (settleDeadline = setTimeout(resolve, ABORT_SETTLE_MS)))]);
    clearTimeout(settleDeadline);
    for (const run of left) {
      if (!this.running.has(run.job.id) || this.closed) continue;
      this.statements.requeue.run(run.job.attempts - 1, this.now(), this.now(), run.job.id);
      this.log?.warn({ jobId: run.job.id }, "job did not stop within its abort grace; queued again without counting the attempt");
    }
    // Hooks still running (superseded, dead letter) finish or stay pending for the next start.
    return { finished: inFlight.length - left.length, requeued: left.length };
  }

  counts(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const row of this.statements.counts.all() as { state: JobState; n: number }[]) counts[row.state] = row.n;
    return Promise.resolve(counts);
  }

  ping(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the job store is closed"));
    this.statements.ping.get();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.accepting = false;
    this.closed = true;
    this.cancelTimer?.();
    clearInterval(this.purgeTimer);
    this.db.close();
    return Promise.resolve();
  }

  async whenIdle(pollMs = 5): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const busy = (this.statements.busy.get() as { n: number }).n;
      if (busy === 0 && this.running.size === 0 && !this.hooksRunning) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private transaction<T>(work: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  private purge(): void {
    if (this.closed) return;
    const removed = Number(this.statements.purge.run(this.now() - this.settings.retentionMs).changes);
    this.heads.purge(this.now() - this.settings.retentionMs);
    if (removed > 0) this.log?.debug({ removed }, "finished jobs past the retention removed");
  }

  private schedulePump(): void {
    if (!this.accepting) return;
    queueMicrotask(() => this.pump());
  }

  /** Starts what may run now, runs pending hooks, and sets a timer for the next delayed job. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        if (!this.accepting || this.closed) return;
        this.startRunnable();
        // Failed hooks whose wait is over are called again (GitHub may answer by now).
        this.statements.unparkDue.run(this.now(), this.now());
        void this.runPendingHooks();
        this.armTimer();
      } while (this.pumpAgain);
    } catch (error) {
      this.log?.error({ err: error }, "job queue could not look for work");
    } finally {
      this.pumping = false;
    }
  }

  private startRunnable(): void {
    const now = this.now();
    for (const row of this.statements.runnable.all(now, SCAN_LIMIT) as unknown as JobRow[]) {
      if (this.running.size >= this.settings.concurrency) return;
      if (row.coalesce_key !== null && this.isKeyBusy(row.coalesce_key)) continue;
      if (row.installation_id !== null && this.runningFor(row.installation_id) >= this.settings.perInstallation) continue;
      const attempts = row.attempts + 1;
      const claimed = Number(this.statements.claim.run(attempts, now, row.id).changes);
      if (claimed === 0) continue;
      this.launch(toJob({ ...row, attempts }));
    }
  }

  private isKeyBusy(key: string): boolean {
    for (const run of this.running.values()) if (run.job.coalesceKey === key) return true;
    return false;
  }

  private runningFor(installationId: number): number {
    let n = 0;
    for (const run of this.running.values()) if (run.job.installationId === installationId) n++;
    return n;
  }

  private launch(job: Job): void {
    const processor = this.processor;
    if (!processor) return;
    const controller = new AbortController();
    const entry: Running = { job, controller, settled: Promise.resolve() };
    this.running.set(job.id, entry);
    entry.settled = (async () => {
      try {
        // The job's GitHub requests carry its signal, down to those waiting in the write queue.
        await runWithAbortSignal(controller.signal, () =>
          processor.run(job, {
            signal: controller.signal,
            attempt: job.attempts,
            maxAttempts: this.settings.maxAttempts,
            final: isFinalRun(job, job.attempts, this.settings, this.now()),
          }),
        );
        // A run that returned did its work, even if an abort came after its last look at the signal.
        this.finish(job, "done", null, null);
      } catch (error) {
        if (!this.finishAborted(job, controller.signal)) await this.failed(job, error, processor);
      } finally {
        this.running.delete(job.id);
        this.schedulePump();
      }
    })();
  }

  /** Settles a job whose signal was aborted, whatever its run did; false when not aborted. */
  private finishAborted(job: Job, signal: AbortSignal): boolean {
    if (!signal.aborted) return false;
    const reason: unknown = signal.reason;
    if (reason instanceof JobAbortedError && reason.why === "shutdown") {
      // Back in the queue, and this run does not count as an attempt.
      this.statements.requeue.run(job.attempts - 1, this.now(), this.now(), job.id);
      return true;
    }
    this.finish(job, "superseded", "superseded", null);
    return true;
  }

  private async failed(job: Job, error: unknown, processor: JobProcessor): Promise<void> {
    const reason = failureReason(error);
    const plan = retryPlan(job, job.attempts, error, this.settings, this.now());
    if (plan.retry && !this.closed) {
      const { delayMs } = plan;
      this.statements.retry.run(this.now() + delayMs, reason, this.now(), job.id);
      this.log?.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, delayMs, reason }, "job failed; it will run again");
      try {
        await processor.retrying?.(job, reason, delayMs);
      } catch (hookError) {
        this.log?.error({ err: hookError, jobId: job.id }, "retry hook failed");
      }
      return;
    }
    this.finish(job, "dead", "dead", reason);
    this.log?.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, reason }, "job failed for the last time");
  }

  private finish(job: Job, state: JobState, hook: HookKind | null, error: string | null): true {
    if (!this.closed) this.statements.finish.run(state, hook, error, this.now(), job.id);
    return true;
  }

  /** Calls `superseded` and `deadLetter` for jobs that still need it; a hook that throws stays pending. */
  private async runPendingHooks(): Promise<void> {
    const processor = this.processor;
    if (this.hooksRunning || !processor) return;
    this.hooksRunning = true;
    try {
      for (;;) {
        if (this.closed) return;
        const rows = this.statements.pendingHooks.all() as unknown as JobRow[];
        const todo = rows.filter((row) => !this.running.has(row.id));
        if (todo.length === 0) return;
        for (const row of todo) {
          if (this.closed) return;
          const job = toJob(row);
          try {
            // Outside any job's signal: completing a superseded job's check run must not be cancelled with it.
            await runWithAbortSignal(undefined, () =>
              row.hook_pending === "superseded" ? processor.superseded(job) : processor.deadLetter(job, row.last_error ?? "failed"),
            );
            if (!this.closed) this.statements.clearHook.run(this.now(), row.id);
          } catch (error) {
            if (this.closed) return;
            const now = this.now();
            if (error instanceof PermanentJobError || now + HOOK_RETRY_MS - row.enqueued_at > HOOK_RETRY_FOR_MS) {
              this.log?.error({ err: error, jobId: row.id, hook: row.hook_pending }, "job hook failed and is dropped: calling it again cannot help");
              this.statements.clearHook.run(now, row.id);
              continue;
            }
            this.log?.error({ err: error, jobId: row.id, hook: row.hook_pending, retryInMs: HOOK_RETRY_MS }, "job hook failed; it is called again later");
            this.statements.parkHook.run(now + HOOK_RETRY_MS, now, row.id);
            this.schedulePump();
          }
        }
      }
    } finally {
      this.hooksRunning = false;
    }
  }

  private armTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    // Jobs due now but waiting for a slot are started when a running job finishes; the timer is
    // for the next one not yet due (a retry, a parked hook), even while due ones wait.
    const now = this.now();
    const next = this.statements.nextRunAt.get(now) as { at: number | null } | undefined;
    const hook = this.statements.nextParkedAt.get() as { at: number | null } | undefined;
    const times = [next?.at, hook?.at].filter((at): at is number => typeof at === "number");
    if (times.length === 0) return;
    this.cancelTimer = this.clock.setTimer(() => this.schedulePump(), Math.max(1, Math.min(...times) - now));
  }
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    ...(row.installation_id !== null ? { installationId: row.installation_id } : {}),
    ...(row.coalesce_key !== null ? { coalesceKey: row.coalesce_key } : {}),
    payload: JSON.parse(row.payload) as JobPayload,
    attempts: row.attempts,
    enqueuedAt: row.enqueued_at,
  };
}

function prepare(db: DatabaseSync) {
  const s = (sql: string): StatementSync => db.prepare(sql);
  return {
    insert: s(
      `INSERT OR IGNORE INTO jobs (id, kind, installation_id, coalesce_key, payload, state, run_at, enqueued_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
    ),
    supersedeQueued: s(
      `UPDATE jobs SET state = 'superseded', hook_pending = 'superseded', updated_at = ?
       WHERE coalesce_key = ? AND state = 'queued' AND id <> ?`,
    ),
    deadRunning: s(
      `UPDATE jobs SET state = 'dead', hook_pending = 'dead', last_error = 'the job was running when its process stopped, ' || attempts || ' times',
       updated_at = ? WHERE state = 'running' AND attempts >= ?`,
    ),
    requeueRunning: s("UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'running'"),
    unparkHooks: s("UPDATE jobs SET hook_pending = replace(hook_pending, '-failed', ''), updated_at = ? WHERE hook_pending LIKE '%-failed'"),
    countHooks: s("SELECT count(*) AS n FROM jobs WHERE hook_pending IS NOT NULL"),
    runnable: s("SELECT * FROM jobs WHERE state = 'queued' AND run_at <= ? ORDER BY run_at, enqueued_at LIMIT ?"),
    claim: s("UPDATE jobs SET state = 'running', attempts = ?, updated_at = ? WHERE id = ? AND state = 'queued'"),
    requeue: s("UPDATE jobs SET state = 'queued', attempts = ?, run_at = ?, updated_at = ? WHERE id = ? AND state = 'running'"),
    retry: s("UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, updated_at = ? WHERE id = ?"),
    finish: s("UPDATE jobs SET state = ?, hook_pending = ?, last_error = ?, updated_at = ? WHERE id = ?"),
    pendingHooks: s("SELECT * FROM jobs WHERE hook_pending IN ('superseded', 'dead') ORDER BY updated_at LIMIT 100"),
    clearHook: s("UPDATE jobs SET hook_pending = NULL, updated_at = ? WHERE id = ?"),
    // A finished job's run_at is free: a parked hook keeps there when it is called again.
    parkHook: s(
      `UPDATE jobs SET hook_pending = CASE hook_pending WHEN 'superseded' THEN 'superseded-failed' ELSE 'dead-failed' END, run_at = ?, updated_at = ?
       WHERE id = ?`,
    ),
    unparkDue: s(
      `UPDATE jobs SET hook_pending = replace(hook_pending, '-failed', ''), updated_at = ?
       WHERE hook_pending IN ('superseded-failed', 'dead-failed') AND run_at <= ?`,
    ),
    nextParkedAt: s("SELECT min(run_at) AS at FROM jobs WHERE hook_pending IN ('superseded-failed', 'dead-failed')"),
    counts: s("SELECT state, count(*) AS n FROM jobs GROUP BY state"),
    nextRunAt: s("SELECT min(run_at) AS at FROM jobs WHERE state = 'queued' AND run_at > ?"),
    purge: s("DELETE FROM jobs WHERE state IN ('done', 'dead', 'superseded') AND hook_pending IS NULL AND updated_at < ?"),
    ping: s("SELECT 1 AS ok"),
    busy: s("SELECT count(*) AS n FROM jobs WHERE state IN ('queued', 'running') OR hook_pending IN ('superseded', 'dead')"),
  };
}
