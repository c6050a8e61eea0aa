import { randomUUID } from "node:crypto";
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job as BullJob } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { runWithAbortSignal } from "../github/job-signal.js";
import { QueueKeys, fromBullId, toBullId } from "./bullmq/keys.js";
import { RedisLatestHeads } from "./bullmq/latest-heads.js";
import { JobStore, type JobSlots, type Outcome } from "./bullmq/store.js";
import { quit } from "./bullmq/quit.js";
import { HOOK_RETRY_FOR_MS, HOOK_RETRY_MS } from "./hook-retry.js";
import {
  COMMAND_RETRIES,
  COMMAND_TIMEOUT_MS,
  DEFAULT_QUEUE_NAME,
  DEFAULT_LOCK_MS,
  DEFAULT_STALLED_MS,
  PING_TIMEOUT_MS,
  INTERNAL_RETRY_MS,
  MAX_BLOCKED_WAIT_MS,
  ABORT_SETTLE_MS,
  HOOK_DRAIN_MS,
  UNLIMITED_STALLS,
  ERROR_LOG_INTERVAL_MS,
  type BullData,
  type BullmqJobQueue,
  type BullmqQueueOptions,
  type BullResult,
  type Running,
} from "./bullmq/options.js";
import {
  DEFAULT_QUEUE_SETTINGS,
  JobAbortedError,
  PermanentJobError,
  failureReason,
  isFinalRun,
  retryPlan,
  type Job,
  type JobProcessor,
  type JobState,
  type NewJob,
  type QueueSettings,
  type RecoveryReport,
  type StopReport,
} from "./queue.js";

/**
 * The job queue on Redis through BullMQ, for any number of replicas. The semantics are those of the
 * port (queue.ts); how they hold here:
 *
 * - BullMQ keeps the jobs (job id = `NewJob.id`, escaped: see toBullId), moves them between its
 *   lists, locks the running ones and puts the jobs of a dead process back (its stalled check), and
 *   keeps finished jobs for the retention. Every BullMQ job is tried once (`attempts: 1`):
 *   retries and waiting for a slot are moves back to `delayed` that the adapter makes.
 * - Next to each BullMQ job the adapter keeps a record (bullmq/scripts.ts) that Lua scripts change
 *   atomically: its state, payload and runs. The record is the dedupe (kept for
 *   the retention after the job finished) and decides what a worker does with the job it took.
 * - Coalescing: the newest job id of a key is stored at enqueue. An older job still queued is marked
 *   superseded there and removed from BullMQ; an older job running (on any replica) is aborted
 *   through a pub/sub message, with a check of the newest id at every heartbeat as a fallback. A
 *   job taken by a worker checks the newest id before it runs.
 * - Slots: one per coalesce key and `perInstallation` per installation, shared by all replicas, as
 *   sorted sets of leases renewed by a heartbeat (a dead process's leases run out). A job that finds
 *   its slot taken goes back to `delayed` and is promoted when the slot is freed.
 * - Hooks (`superseded`, `deadLetter`) are recorded with their owner before they are called; a
 *   failed one is parked and taken again by the hook sweep every HOOK_RETRY_MS (or at a `start`),
 *   one whose owner died is taken over by a live instance.
 */

export type { BullmqQueueOptions, BullmqJobQueue } from "./bullmq/options.js";

export function createBullmqQueue(options: BullmqQueueOptions): BullmqJobQueue {
  return new BullmqQueue(options);
}

class BullmqQueue implements BullmqJobQueue {
  readonly adapter = "bullmq" as const;
  private readonly settings: QueueSettings;
  private readonly log: Logger | undefined;
  private readonly url: string;
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly hookRetryMs: number;
  private readonly stalledMs: number;
  private readonly keys: QueueKeys;
  /** Commands and scripts; BullMQ's Queue shares it. */
  private readonly client: Redis;
  private readonly store: JobStore;
  private readonly queue: Queue<BullData, BullResult>;
  readonly heads: RedisLatestHeads;
  /** This instance's id: the owner of its leases and hooks. */
  private readonly owner = randomUUID();
  private subscriber: Redis | undefined;
  private workerClient: Redis | undefined;
  private worker: Worker<BullData, BullResult> | undefined;
  private processor: JobProcessor | undefined;
  /** Jobs this instance took, from the claim on: where an abort for a job id goes. */
  private readonly controllers = new Map<string, AbortController>();
  /** Jobs whose run has started. */
  private readonly running = new Map<string, Running>();
  private readonly hooksInFlight = new Map<string, Promise<void>>();
  /** Runs stop() put back in the queue because they did not settle after their abort. */
  private readonly abandoned = new Set<string>();
  private accepting = false;
  private stopping: Promise<StopReport> | undefined;
  private closed = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** A heartbeat or hook sweep still waiting for Redis: the next tick is skipped. */
  private heartbeatBusy = false;
  private sweepBusy = false;
  /** When parked (failed) hooks were last taken to be called again. */
  private parkedTakenAt = 0;
  private readonly lastErrorLog = new Map<string, number>();

  constructor(options: BullmqQueueOptions) {
    this.settings = { ...DEFAULT_QUEUE_SETTINGS, ...options.settings };
    this.log = options.log;
    this.url = options.url;
    this.queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
    this.prefix = options.prefix ?? "bull";
    this.leaseMs = options.lockDurationMs ?? DEFAULT_LOCK_MS;
    this.hookRetryMs = options.hookRetryMs ?? HOOK_RETRY_MS;
    this.stalledMs = options.stalledIntervalMs ?? DEFAULT_STALLED_MS;
    this.keys = new QueueKeys(this.prefix, this.queueName);
    // A webhook must fail fast when Redis is down (GitHub can then redeliver it), not wait through
    // ioredis's default 20 retries per command.
    this.client = new Redis(this.url, {
      connectionName: `${this.queueName}:commands`,
      maxRetriesPerRequest: COMMAND_RETRIES,
      connectTimeout: 2_000,
      // A Redis that accepts the connection but stops answering fails the command instead of hanging the webhook.
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    this.client.on("error", (error) => this.connectionError("commands", error));
    this.store = new JobStore(this.client, this.keys, this.settings.retentionMs);
    this.heads = new RedisLatestHeads(this.client, `${this.keys.base}head:`, this.settings.retentionMs);
    this.queue = new Queue<BullData, BullResult>(this.queueName, { connection: this.client, prefix: this.prefix });
    this.queue.on("error", (error) => this.connectionError("queue", error));
  }

  async enqueue(job: NewJob): Promise<{ enqueued: boolean }> {
    if (this.closed) throw new Error("the job queue is closed");
    const result = await this.store.enqueue(job, this.processor ? this.owner : "");
    if (!result.enqueued) return { enqueued: false };
    try {
      // BullMQ may still hold a finished job with this id from before the retention.
      if (result.staleBullJob) await this.queue.remove(toBullId(job.id));
      const data: BullData = {
        kind: job.kind,
        ...(job.installationId !== undefined ? { installationId: job.installationId } : {}),
        ...(job.coalesceKey !== undefined ? { coalesceKey: job.coalesceKey } : {}),
      };
      const keep = { age: Math.ceil(this.settings.retentionMs / 1000) };
      await this.queue.add(job.kind, data, {
        jobId: toBullId(job.id),
        attempts: 1,
        removeOnComplete: keep,
        removeOnFail: keep,
      });
    } catch (error) {
      await this.store.forget(job.id).catch(() => undefined);
      // The older job of the key is superseded in the records already: settle it all the same.
      if (result.replaced) await this.supersede(result.replaced).catch(() => undefined);
      throw error;
    }
    if (result.replaced) await this.supersede(result.replaced);
    return { enqueued: true };
  }

  async start(processor: JobProcessor): Promise<RecoveryReport> {
    if (this.closed) throw new Error("the job queue is closed");
    if (this.processor) throw new Error("the job queue is started already");
    this.processor = processor;
    try {
      return await this.startWorker();
    } catch (error) {
      // Nothing runs: leave the instance as before, without its connections.
      this.processor = undefined;
      this.accepting = false;
      this.clearTimers();
      await this.worker?.close(true).catch(() => undefined);
      this.worker = undefined;
      for (const connection of [this.subscriber, this.workerClient]) connection?.disconnect();
      this.subscriber = this.workerClient = undefined;
      throw error;
    }
  }

  stop(graceMs: number): Promise<StopReport> {
    this.stopping ??= this.stopWorker(graceMs);
    return this.stopping;
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = await this.queue.getJobCounts("waiting", "delayed", "prioritized", "waiting-children", "active", "completed", "failed");
    const n = (type: string) => counts[type] ?? 0;
    return {
      queued: n("waiting") + n("delayed") + n("prioritized") + n("waiting-children"),
      running: n("active"),
      done: n("completed"),
      dead: n("failed"),
      superseded: await this.store.supersededCount(),
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error("the job queue is closed");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer PING within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.client.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.processor) await this.stop(0);
    this.closed = true;
    this.clearTimers();
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.hooksInFlight.values()), new Promise((resolve) => (drainTimer = setTimeout(resolve, HOOK_DRAIN_MS)))]);
    clearTimeout(drainTimer);
    // Hooks of this instance left pending can be taken over at once.
    if (this.processor) await this.store.dropOwner(this.owner).catch(() => undefined);
    await this.queue.close().catch((error: unknown) => this.log?.warn({ err: error }, "job queue: closing the BullMQ queue failed"));
    for (const connection of [this.subscriber, this.workerClient, this.client]) {
      if (connection) await quit(connection);
    }
  }

  async kill(): Promise<void> {
    this.closed = true;
    this.accepting = false;
    // Nothing of this instance settles any more: a later stop has nothing to wait for.
    this.stopping ??= Promise.resolve({ finished: 0, requeued: 0 });
    this.clearTimers();
    const worker = this.worker;
    for (const connection of [this.subscriber, this.workerClient, this.client]) connection?.disconnect();
    // Force: does not wait for the running jobs, and leaves their locks to run out.
    if (worker) await worker.close(true).catch(() => undefined);
    await this.queue.close().catch(() => undefined);
  }

  /** A job a worker took: decide from its record what it does, run it, and record how it ended. */
  private async process(bull: BullJob<BullData, BullResult>, token: string | undefined): Promise<BullResult> {
    const processor = this.processor;
    if (bull.id === undefined || token === undefined || !processor) throw new DelayedError("a job without id or token");
    const id = fromBullId(bull.id);
    if (!this.accepting) return this.putBack(bull, token);
    const slots: JobSlots = { id, coalesceKey: bull.data.coalesceKey, installationId: bull.data.installationId };
    const controller = new AbortController();
    this.controllers.set(id, controller);
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    try {
      const claim = await this.store.claim(slots, this.owner, this.leaseMs, this.settings.perInstallation, this.settings.maxAttempts);
      switch (claim.kind) {
        case "gone":
          this.log?.warn({ jobId: id }, "job has no record (past the retention?); dropped");
          return this.dropOnComplete(bull, "gone");
        case "finished":
          // The process that finished it died before BullMQ heard of it.
          if (claim.state === "done") return "done";
          if (claim.state === "dead") throw new UnrecoverableError(claim.reason || "failed");
          return this.dropOnComplete(bull, "superseded");
        case "superseded":
          this.promoteAll(claim.promote);
          this.runHooks([id]);
          return this.dropOnComplete(bull, "superseded");
        case "dead":
          this.promoteAll(claim.promote);
          this.log?.error({ jobId: id, kind: bull.data.kind, runs: claim.runs }, "job stopped its process every time it ran; dead");
          this.runHooks([id]);
          throw new UnrecoverableError(claim.reason);
        case "blocked":
          this.promoteAll(claim.promote);
          return await this.waitForSlot(bull, token, claim.waitersKey);
        case "run":
          break;
      }
      if (!this.accepting) {
        await this.finish(slots, "requeue");
        return await this.putBack(bull, token);
      }
      this.running.set(id, { slots, controller, settled });
      return await this.run(processor, bull, token, claim.job, slots, controller.signal);
    } catch (error) {
      if (error instanceof DelayedError || error instanceof WaitingError || error instanceof UnrecoverableError) throw error;
      this.log?.error({ err: error, jobId: id }, "job queue bookkeeping failed; the job is tried again");
      await bull.moveToDelayed(Date.now() + INTERNAL_RETRY_MS, token).catch(() => undefined);
      // When even that failed, its lock runs out and BullMQ's stalled check puts it back.
      throw new DelayedError();
    } finally {
      this.controllers.delete(id);
      this.running.delete(id);
      settle();
    }
  }

  private async run(
    processor: JobProcessor,
    bull: BullJob<BullData, BullResult>,
    token: string,
    job: Job,
    slots: JobSlots,
    signal: AbortSignal,
  ): Promise<BullResult> {
    const { maxAttempts } = this.settings;
    let failure: { error: unknown } | undefined;
    let ran = false;
    // Aborted between the claim and here: a newer job replaced it before it started.
    if (!signal.aborted) {
      try {
        // The job's GitHub requests carry its signal, down to those waiting in the write queue.
        await runWithAbortSignal(signal, () =>
          processor.run(job, { signal, attempt: job.attempts, maxAttempts, final: isFinalRun(job, job.attempts, this.settings, Date.now()) }),
        );
        ran = true;
      } catch (error) {
        failure = { error };
      }
    }
    // A run that returned did its work, even if an abort came after its last look at the signal.
    if (signal.aborted && !ran) {
      const why: unknown = signal.reason;
      if (why instanceof JobAbortedError && why.why === "shutdown") {
        // Requeued by stop() already when it did not settle in time: its run is uncounted once.
        if (!this.abandoned.has(job.id)) await this.finish(slots, "requeue");
        return this.putBack(bull, token);
      }
      await this.finish(slots, "superseded");
      this.runHooks([job.id]);
      return this.dropOnComplete(bull, "superseded");
    }
    if (!failure) {
      await this.finish(slots, "done");
      return "done";
    }
    const reason = failureReason(failure.error);
    // The same decision as the embedded store: backoff, GitHub's Retry-After, attempts and time budget.
    const plan = retryPlan(job, job.attempts, failure.error, this.settings, Date.now());
    if (!plan.retry) {
      await this.finish(slots, "dead", reason);
      this.log?.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, reason }, "job failed for the last time");
      this.runHooks([job.id]);
      throw new UnrecoverableError(reason);
    }
    const { delayMs } = plan;
    await this.finish(slots, "retry", reason);
    await bull.moveToDelayed(Date.now() + delayMs, token);
    this.log?.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, delayMs, reason }, "job failed; it will run again");
    if (processor.retrying) {
      processor.retrying(job, reason, delayMs).catch((error: unknown) => this.log?.error({ err: error, jobId: job.id }, "retry hook failed"));
    }
    throw new DelayedError();
  }

  /** Back to `delayed` until the slot is freed (whoever frees it promotes a waiter) or a while passed. */
  private async waitForSlot(bull: BullJob<BullData, BullResult>, token: string, waitersKey: string): Promise<never> {
    const id = fromBullId(bull.id as string);
    await bull.moveToDelayed(Date.now() + Math.min(this.leaseMs, MAX_BLOCKED_WAIT_MS), token);
    // Freed while this job was still active: the promotion missed it, so it promotes itself.
    if (!(await this.store.isWaiting(waitersKey, id))) await this.promote(id);
    throw new DelayedError();
  }

  private async putBack(bull: BullJob<BullData, BullResult>, token: string): Promise<never> {
    await bull.moveToWait(token);
    throw new WaitingError();
  }

  /** Completes the BullMQ job without keeping it: the record keeps what dedupe and counts need. */
  private dropOnComplete(bull: BullJob<BullData, BullResult>, result: BullResult): BullResult {
    bull.opts.removeOnComplete = true;
    return result;
  }

  private async finish(slots: JobSlots, outcome: Outcome, reason?: string): Promise<void> {
    this.promoteAll(await this.store.finish(slots, outcome, this.owner, reason));
  }

  private async supersede(replaced: { id: string; state: "queued" | "running" }): Promise<void> {
    if (replaced.state === "queued") {
      // Locked means a worker has just taken it: it finds its record superseded and drops it.
      await this.queue
        .remove(toBullId(replaced.id))
        .catch((error: unknown) => this.log?.warn({ err: error, jobId: replaced.id }, "could not remove a superseded job"));
      this.runHooks([replaced.id]);
      return;
    }
    this.abort(replaced.id);
    await this.client.publish(this.keys.abortChannel, replaced.id);
  }

  private abort(id: string): void {
    const controller = this.controllers.get(id);
    if (controller && !controller.signal.aborted) controller.abort(new JobAbortedError("superseded"));
  }

  private promoteAll(ids: readonly string[]): void {
    for (const id of ids) void this.promote(id);
  }

  /** Moves a delayed job to the wait list; a job in any other state is left alone. */
  private async promote(id: string): Promise<void> {
    try {
      const job = await this.queue.getJob(toBullId(id));
      if (job && (await job.isDelayed())) await job.promote();
    } catch (error) {
      this.log?.debug({ err: error, jobId: id }, "job not promoted (not delayed any more)");
    }
  }

  /** Recovers what earlier processes left, then listens for aborts and runs the worker. */
  private async startWorker(): Promise<RecoveryReport> {
    // Alive before taking anything over, so that nobody takes it back.
    await this.store.heartbeat(this.owner, this.leaseMs, []);
    const requeued = await this.orphanedRunningJobs();
    const hookIds = await this.store.claimHooks(this.owner, true);
    this.parkedTakenAt = Date.now();

    const subscriber = this.client.duplicate({ connectionName: `${this.queueName}:aborts` });
    this.subscriber = subscriber;
    subscriber.on("error", (error) => this.connectionError("subscriber", error));
    subscriber.on("message", (channel: string, id: string) => {
      if (channel === this.keys.abortChannel) this.abort(id);
    });
    await subscriber.subscribe(this.keys.abortChannel);

    // BullMQ duplicates this one for its blocking reads; both must retry forever.
    const workerClient = new Redis(this.url, { maxRetriesPerRequest: null, connectionName: `${this.queueName}:worker` });
    this.workerClient = workerClient;
    workerClient.on("error", (error) => this.connectionError("worker", error));
    this.accepting = true;
    const worker = new Worker<BullData, BullResult>(this.queueName, (job, token) => this.process(job, token), {
      connection: workerClient,
      prefix: this.prefix,
      concurrency: this.settings.concurrency,
      lockDuration: this.leaseMs,
      stalledInterval: this.stalledMs,
      maxStalledCount: UNLIMITED_STALLS,
    });
    this.worker = worker;
    worker.on("error", (error) => this.connectionError("worker", error));
    worker.on("stalled", (bullId) => this.log?.warn({ jobId: fromBullId(bullId) }, "job of a process that stopped is queued again"));

    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.heartbeatTimer.unref();
    this.sweepTimer = setInterval(() => void this.sweepHooks(), this.leaseMs);
    this.sweepTimer.unref();
    this.runHooks(hookIds);
    if (requeued > 0) this.log?.warn({ requeued }, "jobs that were running when their process stopped run again");
    return { requeued, hooksRetried: hookIds.length };
  }

  private async stopWorker(graceMs: number): Promise<StopReport> {
    this.accepting = false;
    clearInterval(this.sweepTimer);
    const worker = this.worker;
    if (!worker) return { finished: 0, requeued: 0 };
    // Takes no new jobs, and resolves when the running ones are over.
    const closing = worker.close().catch((error: unknown) => this.log?.warn({ err: error }, "job queue: closing the worker failed"));
    const inFlight = [...this.running.values()];
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(inFlight.map((run) => run.settled)), new Promise((resolve) => (graceTimer = setTimeout(resolve, graceMs)))]);
    clearTimeout(graceTimer);
    const left = [...this.running.values()];
    for (const run of left) run.controller.abort(new JobAbortedError("shutdown"));
    // A run that ignores its signal is not waited for long: its lock runs out once this instance
    // has closed its connections, and BullMQ's stalled check hands the job to another instance.
    // Its record goes back to the queue now, without counting the run (a request to GitHub that
    // hangs is no failure of the job): the next claim counts the next run.
    let settleTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...left.map((run) => run.settled), closing]),
      new Promise((resolve) => (settleTimer = setTimeout(resolve, ABORT_SETTLE_MS))),
    ]);
    clearTimeout(settleTimer);
    for (const run of left) {
      if (!this.running.has(run.slots.id) || this.abandoned.has(run.slots.id)) continue;
      this.abandoned.add(run.slots.id);
      await this.finish(run.slots, "requeue").catch((error: unknown) =>
        this.log?.warn({ err: error, jobId: run.slots.id }, "could not requeue a job that did not stop"),
      );
    }
    return { finished: inFlight.length - left.length, requeued: left.length };
  }

  /** Renews this instance's leases, and aborts running jobs a newer one replaced (a lost message). */
  private async heartbeat(): Promise<void> {
    if (this.heartbeatBusy) return;
    this.heartbeatBusy = true;
    try {
      const running = [...this.running.values()].map((run) => run.slots);
      for (const id of await this.store.heartbeat(this.owner, this.leaseMs, running)) this.abort(id);
    } catch (error) {
      this.connectionError("heartbeat", error);
    } finally {
      this.heartbeatBusy = false;
    }
  }

  /** Takes over the hooks of instances that died, and every HOOK_RETRY_MS the failed ones (any replica may take them). */
  private async sweepHooks(): Promise<void> {
    if (!this.accepting || this.sweepBusy) return;
    this.sweepBusy = true;
    try {
      const parked = Date.now() - this.parkedTakenAt >= this.hookRetryMs;
      if (parked) this.parkedTakenAt = Date.now();
      this.runHooks(await this.store.claimHooks(this.owner, parked));
    } catch (error) {
      this.connectionError("hooks", error);
    } finally {
      this.sweepBusy = false;
    }
  }

  private runHooks(ids: readonly string[]): void {
    const processor = this.processor;
    if (!processor || this.closed) return;
    for (const id of ids) {
      if (this.hooksInFlight.has(id)) continue;
      const call = this.runHook(processor, id).finally(() => this.hooksInFlight.delete(id));
      this.hooksInFlight.set(id, call);
    }
  }

  private async runHook(processor: JobProcessor, id: string): Promise<void> {
    try {
      const record = await this.store.load(id);
      let ok = true;
      if (!record) {
        this.log?.warn({ jobId: id }, "job hook dropped: the job's record is past the retention");
      } else if (record.state === "superseded" || record.state === "dead") {
        try {
          // Outside any job's signal: completing a superseded job's check run must not be cancelled with it.
          await runWithAbortSignal(undefined, () =>
            record.state === "superseded" ? processor.superseded(record.job) : processor.deadLetter(record.job, record.reason || "failed"),
          );
        } catch (error) {
          // Dropped when another call cannot help (PermanentJobError) or the retry window is over.
          ok = error instanceof PermanentJobError || Date.now() + this.hookRetryMs - record.job.enqueuedAt > HOOK_RETRY_FOR_MS;
          this.log?.error(
            { err: error, jobId: id, hook: record.state },
            ok ? "job hook failed and is dropped: calling it again cannot help" : "job hook failed; it is called again later",
          );
        }
      }
      await this.store.hookDone(id, this.owner, ok);
    } catch (error) {
      this.log?.error({ err: error, jobId: id }, "job hook could not be recorded; an instance takes it over");
    }
  }

  /** Jobs BullMQ has as active whose lock is gone: their process died, the stalled check requeues them. */
  private async orphanedRunningJobs(): Promise<number> {
    const active = await this.client.lrange(this.keys.bullActive, 0, -1);
    if (active.length === 0) return 0;
    const pipeline = this.client.pipeline();
    for (const id of active) pipeline.exists(`${this.keys.bullJob(id)}:lock`);
    const results = (await pipeline.exec()) ?? [];
    return results.filter(([error, exists]) => !error && Number(exists) === 0).length;
  }

  private clearTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.sweepTimer);
  }

  /** Logs a connection's error, the same one at most once per ERROR_LOG_INTERVAL_MS. */
  private connectionError(source: string, error: unknown): void {
    const message = `${source}: ${failureReason(error)}`;
    const now = Date.now();
    if ((this.lastErrorLog.get(message) ?? 0) + ERROR_LOG_INTERVAL_MS > now) return;
    this.lastErrorLog.set(message, now);
    this.log?.warn({ err: error, source }, "job queue: Redis error");
  }
}
