import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  JobAbortedError,
  PermanentJobError,
  type Job,
  type JobProcessor,
  type JobQueue,
  type JobRunContext,
  type QueueSettings,
  type StopReport,
} from "../../src/jobs/queue.js";

/**
 * The semantics of the job queue port (src/jobs/queue.ts), run against every adapter: the
 * embedded SQLite store and BullMQ on Redis. An adapter passes when each of these holds.
 */

export interface QueueContractFactory {
  /** A new, empty store: a directory, a queue name. */
  newStore(): Promise<string>;
  /** A queue on `store`; two queues opened on one store after each other share its jobs. */
  open(store: string, settings: Partial<QueueSettings>): Promise<JobQueue>;
  /** Like a process killed with SIGKILL: the queue goes away without settling its running jobs. */
  crash(queue: JobQueue): Promise<void>;
  /** How long the adapter may take to notice that a crashed process's job needs running again. */
  recoveryMs: number;
  /**
   * Every wait of the adapter is a timer or Date.now of this process (the embedded store), so
   * tests about durations can run it on vitest's fake clock: time moves only when the test moves
   * it, and a loaded machine cannot make a grace period run out early. BullMQ waits in Redis, on
   * real time.
   */
  fakeClock?: boolean;
}

/** The time a test runs on: vitest's fake clock, or real time for adapters that need it. */
interface TestClock {
  readonly fake: boolean;
  /** Moves the clock (fake), or lets that much real time pass. */
  advance(ms: number): Promise<void>;
  /** Until `condition` holds: in fake time one millisecond at a time, at most `limitMs` of it. */
  until(what: string, condition: () => boolean | Promise<boolean>, limitMs?: number): Promise<void>;
  restore(): void;
}

const REAL_TIME: TestClock = {
  fake: false,
  advance: async (ms) => void (await sleep(ms)),
  until: (what, condition, limitMs) => waitFor(what, condition, limitMs),
  restore: () => undefined,
};

function testClock(fake: boolean): TestClock {
  if (!fake) return REAL_TIME;
  // Date for the store's due times, performance for the runs' start and end. Microtasks stay
  // real, so work that needs no timer (a job starting, a promise settling) happens as soon as
  // the test yields; a job's own sleep waits until the test moves the clock past it.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
  return {
    fake,
    advance: async (ms) => void (await vi.advanceTimersByTimeAsync(ms)),
    async until(what, condition, limitMs = 10_000) {
      for (let elapsed = 0; !(await condition()); elapsed++) {
        if (elapsed >= limitMs) throw new Error(`timed out waiting for ${what} (${limitMs} ms of fake time)`);
        await vi.advanceTimersByTimeAsync(1);
      }
    },
    restore: () => vi.useRealTimers(),
  };
}

const FAST: Partial<QueueSettings> = {
  concurrency: 4,
  perInstallation: 4,
  maxAttempts: 3,
  backoff: { baseMs: 20, maxMs: 100 },
};

export type RunFn = (job: Job, context: JobRunContext) => Promise<unknown>;

/** A processor that records every call; `run` is what each test makes the job do. */
export class RecordingProcessor implements JobProcessor {
  readonly runs: { id: string; attempt: number; payload: Job["payload"]; startedAt: number; settledAt?: number }[] = [];
  readonly supersededIds: string[] = [];
  readonly dead: { id: string; reason: string }[] = [];
  readonly retries: { id: string; reason: string }[] = [];
  readonly completed: string[] = [];
  deadLetterFailures = 0;

  constructor(private readonly body: RunFn) {}

  async run(job: Job, context: JobRunContext): Promise<void> {
    const entry: (typeof this.runs)[number] = { id: job.id, attempt: context.attempt, payload: job.payload, startedAt: performance.now() };
    this.runs.push(entry);
    try {
      await this.body(job, context);
      this.completed.push(job.id);
    } finally {
      entry.settledAt = performance.now();
    }
  }

  superseded(job: Job): Promise<void> {
    this.supersededIds.push(job.id);
    return Promise.resolve();
  }

  deadLetter(job: Job, reason: string): Promise<void> {
    if (this.deadLetterFailures > 0) {
      this.deadLetterFailures--;
      return Promise.reject(new Error("GitHub is down"));
    }
    this.dead.push({ id: job.id, reason });
    return Promise.resolve();
  }

  retrying(job: Job, reason: string): Promise<void> {
    this.retries.push({ id: job.id, reason });
    return Promise.resolve();
  }

  runsOf(id: string) {
    return this.runs.filter((run) => run.id === id);
  }
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when the signal aborts; the reason is what the job was aborted with. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(signal.reason), { once: true }));
}

/** A gate a job waits at until the test opens it. */
export function gate(): { wait: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open };
}

export function describeQueueContract(name: string, factory: QueueContractFactory): void {
  describe(`job queue contract: ${name}`, () => {
    const opened: JobQueue[] = [];
    let clock: TestClock = REAL_TIME;
    beforeEach(() => {
      clock = testClock(factory.fakeClock === true);
    });
    const open = async (store: string, settings: Partial<QueueSettings> = {}) => {
      const queue = await factory.open(store, { ...FAST, ...settings });
      opened.push(queue);
      return queue;
    };
    afterEach(async () => {
      // Real time again first: stopping a queue whose job hangs waits for its grace on a timer.
      clock.restore();
      clock = REAL_TIME;
      for (const queue of opened.splice(0)) {
        await queue.stop(0).catch(() => undefined);
        await queue.close().catch(() => undefined);
      }
    });

    it("runs a job with its payload and counts it done", async () => {
      const queue = await open(await factory.newStore());
      const processor = new RecordingProcessor(() => Promise.resolve());
      await queue.start(processor);
      expect(await queue.enqueue({ id: "d-1", kind: "review", installationId: 1, payload: { pr: 7 } })).toEqual({ enqueued: true });
      await clock.until("the job to finish", async () => (await queue.counts()).done === 1);
      expect(processor.runs).toMatchObject([{ id: "d-1", attempt: 1, payload: { pr: 7 } }]);
      expect(await queue.counts()).toMatchObject({ queued: 0, running: 0, done: 1, dead: 0, superseded: 0 });
      await expect(queue.ping()).resolves.toBeUndefined();
    });

    it("runs a duplicate delivery once, also when it comes again after the first finished", async () => {
      const queue = await open(await factory.newStore());
      const processor = new RecordingProcessor(() => sleep(50));
      await queue.start(processor);
      const job = { id: "delivery-42", kind: "review", installationId: 1, coalesceKey: "r#1", payload: { sha: "a" } };
      expect(await queue.enqueue(job)).toEqual({ enqueued: true });
      expect(await queue.enqueue(job)).toEqual({ enqueued: false });
      await clock.until("the job to finish", async () => (await queue.counts()).done === 1);
      expect(await queue.enqueue(job)).toEqual({ enqueued: false });
      await clock.advance(150);
      expect(processor.runs).toHaveLength(1);
      expect(processor.supersededIds).toEqual([]);
    });

    it("aborts the running job of a pull request when a newer one comes, and runs the newer one after it settled", async () => {
      const queue = await open(await factory.newStore());
      const reasons: unknown[] = [];
      const processor = new RecordingProcessor(async (job, { signal }) => {
        if (job.id === "push-1") {
          reasons.push(await aborted(signal));
          await sleep(30); // a review winding down after the abort
          throw signal.reason;
        }
      });
      await queue.start(processor);
      await queue.enqueue({ id: "push-1", kind: "review", installationId: 1, coalesceKey: "r#5", payload: { sha: "a" } });
      await clock.until("the first review to start", () => processor.runs.length === 1);
      await queue.enqueue({ id: "push-2", kind: "review", installationId: 1, coalesceKey: "r#5", payload: { sha: "b" } });
      await clock.until("the newer review to finish", () => processor.completed.includes("push-2"));
      await clock.until("the superseded hook", () => processor.supersededIds.length === 1);

      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toBeInstanceOf(JobAbortedError);
      expect((reasons[0] as JobAbortedError).why).toBe("superseded");
      expect(processor.supersededIds).toEqual(["push-1"]);
      const [first] = processor.runsOf("push-1");
      const [second] = processor.runsOf("push-2");
      expect(first?.settledAt).toBeDefined();
      expect(second?.startedAt).toBeGreaterThanOrEqual(first?.settledAt ?? Infinity);
      expect(processor.runs.map((run) => run.id)).toEqual(["push-1", "push-2"]);
      expect(processor.dead).toEqual([]);
      await clock.until("counts", async () => {
        const counts = await queue.counts();
        return counts.superseded === 1 && counts.done === 1;
      });
    });

    it("never runs a queued job that a newer one of its pull request replaced", async () => {
      const queue = await open(await factory.newStore(), { concurrency: 1 });
      const blocker = gate();
      const processor = new RecordingProcessor((job) => (job.id === "other" ? blocker.wait() : Promise.resolve()));
      await queue.start(processor);
      await queue.enqueue({ id: "other", kind: "review", installationId: 1, coalesceKey: "r#1", payload: {} });
      await clock.until("the blocking job to start", () => processor.runs.length === 1);
      await queue.enqueue({ id: "push-1", kind: "review", installationId: 1, coalesceKey: "r#2", payload: { sha: "a" } });
      await queue.enqueue({ id: "push-2", kind: "review", installationId: 1, coalesceKey: "r#2", payload: { sha: "b" } });
      await clock.until("the replaced job's hook", () => processor.supersededIds.includes("push-1"));
      blocker.open();
      await clock.until("the newest job", () => processor.completed.includes("push-2"));
      await clock.advance(100);
      expect(processor.runs.map((run) => run.id)).toEqual(["other", "push-2"]);
      expect(processor.supersededIds).toEqual(["push-1"]);
    });

    it("retries a job that throws twice and then succeeds", async () => {
      const queue = await open(await factory.newStore());
      let calls = 0;
      const processor = new RecordingProcessor(() => {
        calls++;
        return calls <= 2 ? Promise.reject(new Error(`GitHub answered HTTP 502 (call ${calls})`)) : Promise.resolve();
      });
      await queue.start(processor);
      await queue.enqueue({ id: "flaky", kind: "review", installationId: 1, payload: {} });
      await clock.until("the third run to succeed", () => processor.completed.includes("flaky"));
      expect(processor.runs.map((run) => run.attempt)).toEqual([1, 2, 3]);
      expect(processor.retries.map((retry) => retry.reason)).toEqual(["GitHub answered HTTP 502 (call 1)", "GitHub answered HTTP 502 (call 2)"]);
      expect(processor.dead).toEqual([]);
      await clock.until("done", async () => (await queue.counts()).done === 1);
    });

    it("dead-letters a job that always fails, with the last reason, after maxAttempts runs", async () => {
      const queue = await open(await factory.newStore());
      const processor = new RecordingProcessor((_job, { attempt }) => Promise.reject(new Error(`still broken (run ${attempt})`)));
      await queue.start(processor);
      await queue.enqueue({ id: "broken", kind: "review", installationId: 1, payload: { checkRunId: 9 } });
      await clock.until("the dead letter", () => processor.dead.length === 1);
      expect(processor.runs).toHaveLength(3);
      expect(processor.dead).toEqual([{ id: "broken", reason: "still broken (run 3)" }]);
      await clock.until("counted dead", async () => (await queue.counts()).dead === 1);
      await clock.advance(100);
      expect(processor.runs).toHaveLength(3);
    });

    it("does not retry a permanent failure", async () => {
      const queue = await open(await factory.newStore());
      const processor = new RecordingProcessor(() => Promise.reject(new PermanentJobError("the installation was removed")));
      await queue.start(processor);
      await queue.enqueue({ id: "gone", kind: "review", installationId: 1, payload: {} });
      await clock.until("the dead letter", () => processor.dead.length === 1);
      expect(processor.runs).toHaveLength(1);
      expect(processor.dead[0]?.reason).toBe("the installation was removed");
    });

    it("starts a job when its retry is due, while a due job of a busy installation waits", async () => {
      const queue = await open(await factory.newStore(), { perInstallation: 1 });
      const blocker = gate();
      const processor = new RecordingProcessor((job, { attempt }) =>
        job.id === "long" ? blocker.wait() : job.id === "flaky" && attempt === 1 ? Promise.reject(new Error("GitHub answered HTTP 502")) : Promise.resolve(),
      );
      await queue.start(processor);
      await queue.enqueue({ id: "long", kind: "review", installationId: 1, payload: {} });
      await clock.until("the long job", () => processor.runs.length === 1);
      await queue.enqueue({ id: "waiting", kind: "review", installationId: 1, payload: {} });
      await queue.enqueue({ id: "flaky", kind: "review", installationId: 2, payload: {} });
      await clock.until("the retried job of another installation", () => processor.completed.includes("flaky"), 5_000);
      expect(processor.runs.filter((run) => run.id === "flaky").map((run) => run.attempt)).toEqual([1, 2]);
      expect(processor.completed).not.toContain("waiting");
      blocker.open();
      await clock.until("the waiting job", () => processor.completed.includes("waiting"));
    });

    it("keeps to the concurrency limits per process and per installation", async () => {
      const queue = await open(await factory.newStore(), { concurrency: 2, perInstallation: 1 });
      let running = 0;
      let peak = 0;
      const perInstallation = new Map<number, number>();
      let peakPerInstallation = 0;
      const processor = new RecordingProcessor(async (job) => {
        const installation = job.installationId ?? 0;
        running++;
        perInstallation.set(installation, (perInstallation.get(installation) ?? 0) + 1);
        peak = Math.max(peak, running);
        peakPerInstallation = Math.max(peakPerInstallation, perInstallation.get(installation) ?? 0);
        await sleep(40);
        running--;
        perInstallation.set(installation, (perInstallation.get(installation) ?? 0) - 1);
      });
      await queue.start(processor);
      for (let i = 0; i < 6; i++) {
        await queue.enqueue({ id: `j-${i}`, kind: "review", installationId: i < 4 ? 1 : 2, payload: {} });
      }
      await clock.until("all six", () => processor.completed.length === 6);
      expect(peak).toBe(2);
      expect(peakPerInstallation).toBe(1);
    });

    it("runs again, after a restart, a job whose process died while it ran", async () => {
      const store = await factory.newStore();
      const first = await open(store);
      const firstProcessor = new RecordingProcessor(() => new Promise<void>(() => undefined));
      await first.start(firstProcessor);
      await first.enqueue({ id: "mid-review", kind: "review", installationId: 1, coalesceKey: "r#3", payload: { checkRunId: 5 } });
      await clock.until("the job to start", () => firstProcessor.runs.length === 1);
      await factory.crash(first);

      const second = await open(store);
      const secondProcessor = new RecordingProcessor(() => Promise.resolve());
      await second.start(secondProcessor);
      await clock.until("the job to run again", () => secondProcessor.completed.includes("mid-review"), factory.recoveryMs + 10_000);
      expect(secondProcessor.runs).toMatchObject([{ id: "mid-review", attempt: 2, payload: { checkRunId: 5 } }]);
      expect(await second.enqueue({ id: "mid-review", kind: "review", payload: {} })).toEqual({ enqueued: false });
    });

    it("dead-letters a job whose process died during each of its maxAttempts runs", async () => {
      const store = await factory.newStore();
      const hang = () => new Promise<void>(() => undefined);
      let queue = await open(store, { maxAttempts: 2 });
      let processor = new RecordingProcessor(hang);
      await queue.start(processor);
      await queue.enqueue({ id: "poison", kind: "review", installationId: 1, payload: { checkRunId: 8 } });
      for (let run = 1; run <= 2; run++) {
        await clock.until(`run ${run}`, () => processor.runs.length === 1, factory.recoveryMs + 10_000);
        expect(processor.runs[0]?.attempt).toBe(run);
        await factory.crash(queue);
        queue = await open(store, { maxAttempts: 2 });
        processor = new RecordingProcessor(hang);
        await queue.start(processor);
      }
      await clock.until("the dead letter", () => processor.dead.length === 1, factory.recoveryMs + 10_000);
      expect(processor.runs).toEqual([]);
      expect(processor.dead[0]?.id).toBe("poison");
      expect(processor.dead[0]?.reason).toMatch(/process stopped/);
    });

    it("counts a run that returned as done, even when an abort came after its last look at the signal", async () => {
      const queue = await open(await factory.newStore());
      const posting = gate();
      const processor = new RecordingProcessor(async (job) => {
        if (job.id === "push-1") await posting.wait(); // the review is being posted; it no longer looks at the signal
      });
      await queue.start(processor);
      await queue.enqueue({ id: "push-1", kind: "review", installationId: 1, coalesceKey: "r#8", payload: {} });
      await clock.until("the first review to start", () => processor.runs.length === 1);
      await queue.enqueue({ id: "push-2", kind: "review", installationId: 1, coalesceKey: "r#8", payload: {} });
      await clock.advance(100);
      posting.open();
      await clock.until("the newer review", () => processor.completed.includes("push-2"));
      await clock.until("both done", async () => (await queue.counts()).done === 2);
      expect(processor.supersededIds).toEqual([]);
      expect((await queue.counts()).superseded).toBe(0);
    });

    it("on stop, lets running jobs finish within the grace period and queues the rest again without counting the run", async () => {
      // On the fake clock the grace is exact, and a machine too loaded to end the quick job
      // within a real 300 ms cannot fail this (it did). Real time (BullMQ) gets a wide grace.
      const graceMs = clock.fake ? 300 : 3_000;
      const store = await factory.newStore();
      const queue = await open(store);
      const reasons: unknown[] = [];
      const quick = gate();
      const processor = new RecordingProcessor(async (job, { signal }) => {
        if (job.id === "quick") return quick.wait();
        reasons.push(await aborted(signal));
        throw signal.reason;
      });
      await queue.start(processor);
      await queue.enqueue({ id: "quick", kind: "review", installationId: 1, payload: {} });
      await queue.enqueue({ id: "slow", kind: "review", installationId: 2, payload: {} });
      await clock.until("both to start", () => processor.runs.length === 2);
      let report: StopReport | undefined;
      const stopping = queue.stop(graceMs).then((r) => (report = r));
      quick.open();
      if (clock.fake) {
        await clock.advance(graceMs - 1);
        // A millisecond before the grace runs out: the quick job is done, the slow one not yet aborted.
        expect(processor.completed).toEqual(["quick"]);
        expect(reasons).toEqual([]);
        expect(report).toBeUndefined();
        await clock.advance(1);
      }
      expect(await stopping).toEqual({ finished: 1, requeued: 1 });
      expect(reasons).toHaveLength(1);
      expect((reasons[0] as JobAbortedError).why).toBe("shutdown");
      await queue.close();

      const next = await open(store);
      const nextProcessor = new RecordingProcessor(() => Promise.resolve());
      await next.start(nextProcessor);
      await clock.until("the requeued job", () => nextProcessor.completed.includes("slow"), factory.recoveryMs + 10_000);
      expect(nextProcessor.runs).toMatchObject([{ id: "slow", attempt: 1 }]);
      expect(processor.dead).toEqual([]);
    });

    it("calls a dead-letter hook that failed again at the next start", async () => {
      const store = await factory.newStore();
      const queue = await open(store, { maxAttempts: 1 });
      const processor = new RecordingProcessor(() => Promise.reject(new Error("cannot parse")));
      processor.deadLetterFailures = 1;
      await queue.start(processor);
      await queue.enqueue({ id: "unlucky", kind: "review", installationId: 1, payload: { checkRunId: 3 } });
      await clock.until("the job to fail", async () => (await queue.counts()).dead === 1);
      await clock.advance(200);
      expect(processor.dead).toEqual([]);
      await queue.stop(1000);
      await queue.close();

      const next = await open(store, { maxAttempts: 1 });
      const report = await next.start(processor);
      expect(report.hooksRetried).toBe(1);
      await clock.until("the hook to run again", () => processor.dead.length === 1);
      expect(processor.dead).toEqual([{ id: "unlucky", reason: "cannot parse" }]);
      expect(processor.runs).toHaveLength(1);
    });
  });
}
