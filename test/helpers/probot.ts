import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { AgentRuntime } from "../../src/agent/agent-review.js";
import { createDataEngineerApp } from "../../src/app.js";

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
}

/** A Probot with data-engineer loaded, talking to whatever the test fakes at `baseUrl`. */
export async function createTestProbot(options: TestProbotOptions = {}): Promise<Probot> {
  const probot = new Probot({
    appId: 123,
    privateKey,
    secret: "test-webhook-secret",
    Octokit: options.Octokit ?? TestOctokit,
    log: options.log ?? pino({ level: "silent" }),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  await probot.load(createDataEngineerApp({ agent: options.agent ?? "off" }), { cwd: process.cwd(), addHandler: () => undefined });
  return probot;
}
