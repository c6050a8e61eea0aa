import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createEmbeddedQueue } from "../../src/jobs/embedded-queue.js";
import { DataDirInUseError } from "../../src/jobs/data-dir-lock.js";
import { HOOK_RETRY_FOR_MS, HOOK_RETRY_MS } from "../../src/jobs/hook-retry.js";
import { PermanentJobError, type JobQueue } from "../../src/jobs/queue.js";
import { describeQueueContract, waitFor } from "./queue-contract.js";
import { GitHubApiError } from "../../src/errors.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "de-jobs-"));
  dirs.push(dir);
  return dir;
}

describeQueueContract("embedded (node:sqlite)", {
  newStore: newDir,
  open: (store, settings) => Promise.resolve(createEmbeddedQueue({ dataDir: store, settings })),
  // close() without stop(): the file and the lock go, the running job is never settled in the store.
  crash: (queue: JobQueue) => queue.close(),
  recoveryMs: 0,
  fakeClock: true,
});

describe("embedded job store", () => {
  it("refuses a second queue on the same DATA_DIR while the first holds it", async () => {
    const dir = await newDir();
    const first = createEmbeddedQueue({ dataDir: dir });
    expect(() => createEmbeddedQueue({ dataDir: dir })).toThrow(DataDirInUseError);
    await first.close();
    const again = createEmbeddedQueue({ dataDir: dir });
    await again.close();
  });

  it("refuses another process on the same DATA_DIR, whatever its pid, and lets it in once the first closed", async () => {
    const dir = await newDir();
    // The built module (vitest's global setup builds dist/), as a second replica would load it.
    const module = pathToFileURL(resolve("dist/jobs/embedded-queue.js")).href;
    const script = `import { createEmbeddedQueue } from ${JSON.stringify(module)};
      try { const q = createEmbeddedQueue({ dataDir: ${JSON.stringify(dir)} }); await q.close(); console.log("opened"); }
      catch (error) { console.log(error.name + ": " + error.message); }`;
    const second = async () => (await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script])).stdout.trim();
    const first = createEmbeddedQueue({ dataDir: dir });
    expect(await second()).toMatch(/^DataDirInUseError: DATA_DIR .* is in use by another data-engineer process/);
    await first.close();
    expect(await second()).toBe("opened");
  });

  it("forgets finished jobs after the retention, so the id can be used again", async () => {
    const dir = await newDir();
    let now = 1_000_000;
    const queue = createEmbeddedQueue({ dataDir: dir, now: () => now, settings: { retentionMs: 1000 } });
    let runs = 0;
    await queue.start({ run: () => Promise.resolve(void runs++), superseded: () => Promise.resolve(), deadLetter: () => Promise.resolve() });
    await queue.enqueue({ id: "x", kind: "review", payload: {} });
    // Until the job is settled, however long a loaded machine takes (a fixed count of 10 ms polls was a deadline).
    await queue.whenIdle();
    expect((await queue.counts()).done).toBe(1);
    expect(await queue.enqueue({ id: "x", kind: "review", payload: {} })).toEqual({ enqueued: false });
    await queue.stop(0);
    await queue.close();
    now += 5000;
    const next = createEmbeddedQueue({ dataDir: dir, now: () => now, settings: { retentionMs: 1000 } });
    await next.start({ run: () => Promise.resolve(void runs++), superseded: () => Promise.resolve(), deadLetter: () => Promise.resolve() });
    expect(await next.enqueue({ id: "x", kind: "review", payload: {} })).toEqual({ enqueued: true });
    await next.whenIdle();
    expect(runs).toBe(2);
    await next.stop(0);
    await next.close();
  });
});

describe("embedded job store: retries on GitHub's time", () => {
  const rateLimited = () => new GitHubApiError("GitHub answered HTTP 403 while creating the check run: secondary rate limit", 403, { retryAfterMs: 40_000 });

  it("waits the Retry-After a failure carries before the next run, not the shorter backoff", async () => {
    const clock = new VirtualClock();
    const queue = createEmbeddedQueue({ dataDir: await newDir(), clock, settings: { maxAttempts: 5, backoff: { baseMs: 2_000, maxMs: 120_000 } } });
    const runs: number[] = [];
    await queue.start({
      run: () => {
        runs.push(clock.now());
        return runs.length === 1 ? Promise.reject(rateLimited()) : Promise.resolve();
      },
      superseded: () => Promise.resolve(),
      deadLetter: () => Promise.resolve(),
    });
    await queue.enqueue({ id: "limited", kind: "review", payload: {} });
    clock.runFreely();
    await queue.whenIdle();
    expect(runs).toHaveLength(2);
    expect((runs[1] ?? 0) - (runs[0] ?? 0)).toBe(40_000);
    expect((await queue.counts()).done).toBe(1);
    await queue.stop(0);
    await queue.close();
  });

  it("keeps retrying a failing job for its time budget, with capped backoff, then dead-letters it", async () => {
    const clock = new VirtualClock();
    const budget = 30 * 60_000;
    const queue = createEmbeddedQueue({
      dataDir: await newDir(),
      clock,
      settings: { maxAttempts: 1_000, retryBudgetMs: budget, backoff: { baseMs: 2_000, maxMs: 120_000 } },
    });
    const runs: number[] = [];
    let dead = 0;
    await queue.start({
      run: () => {
        runs.push(clock.now());
        return Promise.reject(new GitHubApiError("GitHub answered HTTP 502", 502));
      },
      superseded: () => Promise.resolve(),
      deadLetter: () => Promise.resolve(void dead++),
    });
    const enqueued = clock.now();
    await queue.enqueue({ id: "outage", kind: "review", payload: {} });
    clock.runFreely();
    await queue.whenIdle();
    const last = (runs.at(-1) ?? 0) - enqueued;
    // 2+4+…+64 s, then every 2 minutes: the last run within 30 minutes, the next would be past it.
    expect(last).toBeLessThanOrEqual(budget);
    expect(last + 120_000).toBeGreaterThan(budget);
    expect(runs.length).toBe(20);
    expect(dead).toBe(1);
    await queue.stop(0);
    await queue.close();
  });
});

describe("embedded job store: failed hooks called again without a restart", () => {
  const failing = () => Promise.reject(new GitHubApiError("GitHub answered HTTP 502", 502));

  it("calls a dead letter that fails again every minute, on the queue's clock, until it succeeds", async () => {
    const clock = new VirtualClock();
    const queue = createEmbeddedQueue({ dataDir: await newDir(), clock, settings: { maxAttempts: 1 } });
    const calls: number[] = [];
    await queue.start({
      run: failing,
      superseded: () => Promise.resolve(),
      deadLetter: () => {
        calls.push(clock.now());
        return calls.length < 4 ? failing() : Promise.resolve();
      },
    });
    await queue.enqueue({ id: "outage", kind: "review", payload: {} });
    clock.runFreely();
    await waitFor("the fourth call", () => calls.length === 4, Number.POSITIVE_INFINITY);
    await queue.whenIdle();
    expect(calls.slice(1).map((at, i) => at - (calls[i] ?? 0))).toEqual([HOOK_RETRY_MS, HOOK_RETRY_MS, HOOK_RETRY_MS]);
    // Settled: no timer left for it, nothing pending.
    clock.advance(10 * HOOK_RETRY_MS);
    await queue.whenIdle();
    expect(calls).toHaveLength(4);
    await queue.stop(0);
    await queue.close();
  });

  it("drops a hook that throws a PermanentJobError, and one still failing a day after its enqueue", async () => {
    const clock = new VirtualClock();
    const queue = createEmbeddedQueue({ dataDir: await newDir(), clock, settings: { maxAttempts: 1 } });
    const calls = new Map<string, number>();
    await queue.start({
      run: failing,
      superseded: () => Promise.resolve(),
      deadLetter: (job) => {
        calls.set(job.id, (calls.get(job.id) ?? 0) + 1);
        return job.id === "gone" ? Promise.reject(new PermanentJobError("the installation is gone")) : failing();
      },
    });
    await queue.enqueue({ id: "gone", kind: "review", payload: {} });
    await queue.enqueue({ id: "down-for-days", kind: "review", payload: {} });
    // Once at the dead letter, then every minute for a day.
    const expected = HOOK_RETRY_FOR_MS / HOOK_RETRY_MS + 1;
    clock.runFreely();
    await waitFor("a day of calls", () => calls.get("down-for-days") === expected, Number.POSITIVE_INFINITY);
    await queue.whenIdle();
    clock.advance(10 * HOOK_RETRY_MS);
    await queue.whenIdle();
    expect(calls.get("gone")).toBe(1);
    expect(calls.get("down-for-days")).toBe(expected);
    await queue.stop(0);
    await queue.close();
  });
});
