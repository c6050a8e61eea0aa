import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createBullmqQueue, type BullmqJobQueue } from "../../src/jobs/bullmq-queue.js";
import { JobAbortedError, type JobQueue, type QueueSettings } from "../../src/jobs/queue.js";
import { GitHubApiError } from "../../src/errors.js";
import { testRedisUrl } from "../helpers/redis.js";
import { RecordingProcessor, aborted, describeQueueContract, sleep, waitFor, type RunFn } from "./queue-contract.js";

const url = await testRedisUrl();
/** Every key of this file's queues starts with it: other test files may share the Redis. */
const PREFIX = `de-test-${process.pid}-${randomUUID().slice(0, 8)}`;
/** Short locks so that a dead replica's job runs again within about two seconds. */
const LOCK_MS = 1_500;
const STALLED_MS = 500;
const RECOVERY_MS = LOCK_MS + 3 * STALLED_MS;

const FAST: Partial<QueueSettings> = { concurrency: 4, perInstallation: 4, maxAttempts: 3, backoff: { baseMs: 20, maxMs: 100 } };

function openQueue(redisUrl: string, queueName: string, settings: Partial<QueueSettings> = {}): BullmqJobQueue {
  return createBullmqQueue({ url: redisUrl, queueName, prefix: PREFIX, settings, lockDurationMs: LOCK_MS, stalledIntervalMs: STALLED_MS });
}

const newQueueName = () => `q-${randomUUID().slice(0, 8)}`;

/** The contract's recording processor, with the names these tests read. */
function recorder(body: RunFn) {
  const processor = new RecordingProcessor(body);
  return { processor, calls: { runs: processor.runs, completed: processor.completed, superseded: processor.supersededIds, dead: processor.dead } };
}

if (url === undefined) {
  describe.skip("BullMQ job queue (no redis-server on this machine)", () => {
    it("needs Redis", () => undefined);
  });
} else {
  const redisUrl = url;

  afterAll(async () => {
    const redis = new Redis(redisUrl);
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${PREFIX}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis.quit();
  });

  describeQueueContract("BullMQ (Redis)", {
    newStore: () => Promise.resolve(newQueueName()),
    open: (store, settings) => Promise.resolve(openQueue(redisUrl, store, settings)),
    crash: (queue: JobQueue) => (queue as BullmqJobQueue).kill(),
    recoveryMs: RECOVERY_MS,
  });

  describe("BullMQ job queue across replicas", () => {
    const opened: BullmqJobQueue[] = [];
    const open = (queueName: string, settings: Partial<QueueSettings> = {}) => {
      const queue = openQueue(redisUrl, queueName, { ...FAST, ...settings });
      opened.push(queue);
      return queue;
    };
    afterEach(async () => {
      for (const queue of opened.splice(0)) {
        await queue.stop(0).catch(() => undefined);
        await queue.close().catch(() => undefined);
      }
    });

    it("waits the Retry-After a failure carries before the next run, not its few-millisecond backoff", async () => {
      const queue = open(newQueueName());
      // BullMQ delays in Redis on real time, so the wait is short; only its lower bound is asserted.
      const { processor, calls } = recorder((_job, { attempt }) =>
        attempt === 1 ? Promise.reject(new GitHubApiError("GitHub answered HTTP 403: secondary rate limit", 403, { retryAfterMs: 600 })) : Promise.resolve(),
      );
      await queue.start(processor);
      await queue.enqueue({ id: "limited", kind: "review", payload: {} });
      await waitFor("the second run", () => calls.completed.length === 1, Number.POSITIVE_INFINITY);
      const [first, second] = calls.runs;
      expect(calls.runs).toHaveLength(2);
      expect((second?.startedAt ?? 0) - (first?.settledAt ?? 0)).toBeGreaterThanOrEqual(590);
    });

    it("keeps to the per-installation limit across replicas", async () => {
      const name = newQueueName();
      const replicas = [open(name, { perInstallation: 1 }), open(name, { perInstallation: 1 })];
      let running = 0;
      let peak = 0;
      const ranOn = new Set<number>();
      const done: string[] = [];
      for (const [index, replica] of replicas.entries()) {
        await replica.start({
          async run(job) {
            ranOn.add(index);
            running++;
            peak = Math.max(peak, running);
            await sleep(60);
            running--;
            done.push(job.id);
          },
          superseded: () => Promise.resolve(),
          deadLetter: () => Promise.resolve(),
        });
      }
      for (let i = 0; i < 6; i++) {
        await replicas[i % 2]?.enqueue({ id: `inst-${i}`, kind: "review", installationId: 7, payload: {} });
      }
      await waitFor("all six jobs", () => done.length === 6);
      expect(peak).toBe(1);
      expect(ranOn.size).toBeGreaterThanOrEqual(1);
      await waitFor("counted done", async () => {
        const counts = await replicas[0]?.counts();
        return counts?.done === 6 && counts.running === 0 && counts.queued === 0;
      });
    });

    it("aborts the older job running on replica A when replica B enqueues a newer one", async () => {
      const name = newQueueName();
      const a = open(name);
      const b = open(name);
      const reasons: unknown[] = [];
      const onA = recorder(async (job, { signal }) => {
        if (job.id !== "push-1") return;
        reasons.push(await aborted(signal));
        await sleep(50);
        throw signal.reason;
      });
      await a.start(onA.processor);
      await a.enqueue({ id: "push-1", kind: "review", installationId: 1, coalesceKey: "r#9", payload: { sha: "a" } });
      await waitFor("the older job to run on A", () => onA.calls.runs.length === 1);

      const onB = recorder(() => Promise.resolve());
      await b.start(onB.processor);
      expect(await b.enqueue({ id: "push-2", kind: "review", installationId: 1, coalesceKey: "r#9", payload: { sha: "b" } })).toEqual({ enqueued: true });
      await waitFor("the newer job", () => [...onA.calls.completed, ...onB.calls.completed].includes("push-2"));
      await waitFor("the superseded hook", () => onA.calls.superseded.length === 1);

      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toBeInstanceOf(JobAbortedError);
      expect((reasons[0] as JobAbortedError).why).toBe("superseded");
      expect([...onA.calls.superseded, ...onB.calls.superseded]).toEqual(["push-1"]);
      const older = onA.calls.runs.find((run) => run.id === "push-1");
      const newer = [...onA.calls.runs, ...onB.calls.runs].find((run) => run.id === "push-2");
      expect(newer?.startedAt).toBeGreaterThanOrEqual(older?.settledAt ?? Infinity);
      await waitFor("counts", async () => {
        const counts = await b.counts();
        return counts.superseded === 1 && counts.done === 1 && counts.running === 0;
      });
    });

    it("runs a job of a replica that died on another replica after the stalled interval", async () => {
      const name = newQueueName();
      const a = open(name, { perInstallation: 1 });
      const b = open(name, { perInstallation: 1 });
      const onA = recorder(() => new Promise<void>(() => undefined));
      await a.start(onA.processor);
      await a.enqueue({ id: "orphan", kind: "review", installationId: 3, coalesceKey: "r#1", payload: { checkRunId: 1 } });
      await waitFor("the job to run on A", () => onA.calls.runs.length === 1);

      const onB = recorder(() => Promise.resolve());
      await b.start(onB.processor);
      // Same installation, limit 1: it waits for the dead replica's lease to run out.
      await b.enqueue({ id: "other", kind: "review", installationId: 3, payload: {} });
      await a.kill();
      await waitFor("the job to run again on B", () => onB.calls.completed.includes("orphan"), RECOVERY_MS + 10_000);
      await waitFor("the other job", () => onB.calls.completed.includes("other"), RECOVERY_MS + 10_000);
      expect(onB.calls.runs.find((run) => run.id === "orphan")).toMatchObject({ attempt: 2 });
      expect(onB.calls.dead).toEqual([]);
    });

    it("forgets a finished job after the retention, so its id can be enqueued again", async () => {
      const queue = open(newQueueName(), { retentionMs: 1_000 });
      const { processor, calls } = recorder(() => Promise.resolve());
      await queue.start(processor);
      await queue.enqueue({ id: "x", kind: "review", payload: {} });
      await waitFor("the first run", () => calls.completed.length === 1);
      expect(await queue.enqueue({ id: "x", kind: "review", payload: {} })).toEqual({ enqueued: false });
      await sleep(1_200);
      expect(await queue.enqueue({ id: "x", kind: "review", payload: {} })).toEqual({ enqueued: true });
      await waitFor("the second run", () => calls.completed.length === 2);
    });

    it("takes the app's job ids, which BullMQ refuses as they are (a colon, an integer)", async () => {
      const queue = open(newQueueName());
      const { processor, calls } = recorder(() => Promise.resolve());
      await queue.start(processor);
      for (const id of ["4f1c-delivery:12", "4f1c-delivery:13", "12345", "100%:3A"]) {
        expect(await queue.enqueue({ id, kind: "review", installationId: 1, coalesceKey: `r#${id}`, payload: {} })).toEqual({ enqueued: true });
      }
      await waitFor("all four", () => calls.completed.length === 4);
      expect([...calls.completed].sort()).toEqual(["100%:3A", "12345", "4f1c-delivery:12", "4f1c-delivery:13"]);
      expect(await queue.enqueue({ id: "4f1c-delivery:12", kind: "review", payload: {} })).toEqual({ enqueued: false });
    });

    it("takes over the hook of a replica that died before calling it", async () => {
      const name = newQueueName();
      const a = open(name, { maxAttempts: 1 });
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      // A's dead-letter hook never returns: A dies while calling it.
      await a.start({
        run: () => Promise.reject(new Error("broken")),
        superseded: () => Promise.resolve(),
        deadLetter: () => gate,
      });
      await a.enqueue({ id: "unlucky", kind: "review", installationId: 1, payload: {} });
      await waitFor("the job to fail", async () => (await a.counts()).dead === 1);
      await a.kill();

      const b = open(name, { maxAttempts: 1 });
      const { processor, calls } = recorder(() => Promise.resolve());
      await b.start(processor);
      await waitFor("the hook on B", () => calls.dead.length === 1, RECOVERY_MS + 10_000);
      expect(calls.dead).toEqual([{ id: "unlucky", reason: "broken" }]);
      release();
    });

    it("fails ping when Redis cannot be reached, without crashing, and closes", async () => {
      const port = await closedPort();
      const queue = createBullmqQueue({ url: `redis://127.0.0.1:${port}`, queueName: newQueueName(), prefix: PREFIX });
      await expect(queue.ping()).rejects.toThrow(/PING|connect|max retries/i);
      await queue.close();
    });

    it("fails an enqueue within seconds when Redis cannot be reached, so the webhook can be redelivered", async () => {
      const port = await closedPort();
      const queue = createBullmqQueue({ url: `redis://127.0.0.1:${port}`, queueName: newQueueName(), prefix: PREFIX });
      const started = performance.now();
      await expect(queue.enqueue({ id: "d-1", kind: "review", payload: {} })).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(5_000);
      await queue.close();
    });
  });
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
