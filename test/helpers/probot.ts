import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { AgentRuntime } from "../../src/agent/agent-review.js";
import { createDataEngineerApp } from "../../src/app.js";
import type { CommandRateLimiter } from "../../src/commands/rate-limit.js";
import { createEmbeddedQueue, type EmbeddedJobQueue } from "../../src/jobs/embedded-queue.js";
import type { JobQueue, QueueSettings } from "../../src/jobs/queue.js";

/** A throwaway RSA key: Probot signs its app JWT with it; the fake GitHub never checks it. */
export const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;

/**
 * Probot's Octokit with retries and throttling really off. The documented object form,
 * `ProbotOctokit.defaults({ throttle: { enabled: false } })`, is overwritten by the throttle
 * options Probot passes to every instance, so throttling stays on and each write waits about
 * a second; the function form merges into what Probot passes instead
 * (see test/github/test-octokit.test.ts and bench/probot-throttle.ts).
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

/** The documented object form, kept only to show in tests that it leaves throttling on. */
export const DocumentedTestOctokit = ProbotOctokit.defaults({
  retry: { enabled: false },
  throttle: { enabled: false },
});

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger whose records a test can read. */
export function captureLogs(level: pino.Level = "debug"): { log: pino.Logger; records: LogRecord[]; text: () => string } {
  const records: LogRecord[] = [];
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        lines.push(line);
        records.push(JSON.parse(line) as LogRecord);
      }
      done();
    },
  });
  return { log: pino({ level }, sink), records, text: () => lines.join("\n") };
}

export interface TestProbotOptions {
  baseUrl?: string;
  Octokit?: typeof ProbotOctokit;
  log?: pino.Logger;
  /** The agent the app runs; none by default, whatever the environment says. */
  agent?: AgentRuntime;
  /** The rate limiter of `/data-engineer` commands, when the test watches it. */
  commandLimiter?: CommandRateLimiter;
  /**
   * The job queue's settings. By default one attempt per job, so a failure completes the check
   * run at once as it did before jobs were queued; tests of retries ask for more.
   */
  queue?: Partial<QueueSettings>;
  /** Another job queue (BullMQ); then `receive` does not wait for jobs: wait on the fake GitHub. */
  jobs?: JobQueue;
}

export interface TestProbot extends Probot {
  /** The app's job queue: the embedded one in a temporary DATA_DIR unless the test gave one. */
  jobs: JobQueue;
  /** Hands the app a webhook and returns once it is answered, without waiting for its jobs. */
  deliver(event: Parameters<Probot["receive"]>[0]): Promise<void>;
  /** Waits until the jobs have finished (the embedded queue only). */
  idle(): Promise<void>;
}

const dataDirs: string[] = [];
process.once("exit", () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A Probot with data-engineer loaded, talking to whatever the test fakes at `baseUrl`, with its
 * real embedded job queue. `receive` resolves once the webhook was answered AND every job it
 * queued has finished, so tests read what the app did when it returns.
 */
export async function createTestProbot(options: TestProbotOptions = {}): Promise<TestProbot> {
  const probot = new Probot({
    appId: 123,
    privateKey,
    secret: "test-webhook-secret",
    Octokit: options.Octokit ?? TestOctokit,
    log: options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  let embedded: EmbeddedJobQueue | undefined;
  let jobs: JobQueue;
  if (options.jobs) {
    jobs = options.jobs;
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), "de-test-jobs-"));
    dataDirs.push(dataDir);
    jobs = embedded = createEmbeddedQueue({ dataDir, settings: { maxAttempts: 1, backoff: { baseMs: 10, maxMs: 50 }, ...options.queue } });
  }
  const idle = () => embedded?.whenIdle() ?? Promise.resolve();
  await probot.load(
    createDataEngineerApp({
      agent: options.agent ?? "off",
      jobs,
      ...(options.commandLimiter ? { commandLimiter: options.commandLimiter } : {}),
    }),
    { cwd: process.cwd(), addHandler: () => undefined },
  );
  const deliver = probot.receive.bind(probot);
  probot.receive = async (event) => {
    try {
      await deliver(event);
    } finally {
      await idle();
    }
  };
  return Object.assign(probot, { jobs, deliver, idle });
}
