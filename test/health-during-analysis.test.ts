import { createHmac } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type * as LibPgQuery from "libpg-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ANALYSIS_CHANNEL } from "../src/review/analyse.js";
import { MAX_COMMENT_NESTING } from "../src/sql/comment-nesting.js";
import { startServer } from "../src/server.js";
import { FakeGitHub } from "./helpers/fake-github.js";
import { freePort } from "./helpers/free-port.js";
import { watchMainThreadWork } from "./helpers/main-thread-work.js";
import { privateKey, TestOctokit } from "./helpers/probot.js";
import { checkCompletion, expectHeadTarball, expectMigrationReview, pullRequestEvent, type HeadFile } from "./helpers/pull-request-scenario.js";

/**
 * Issue 18, item 1: a pull request's SQL is parsed and analysed off the event loop. The server
 * (in this process, as test/server.test.ts runs it) reviews the worst files a review reads while
 * /healthz is asked every 20 ms; and a migration over the analysis's deadline is listed as not
 * reviewed, with the check failing.
 */

/**
 * libpg-query as this thread (the server's event loop) sees it: every import, load and parse
 * counted. The analysis workers load their own copy, unseen here. Nothing in the server parses on
 * the event loop, so every count stays 0.
 */
const mainThreadParser = vi.hoisted(() => ({ imports: 0, loads: 0, parses: 0 }));
vi.mock("libpg-query", async (importOriginal) => {
  mainThreadParser.imports++;
  const real = await importOriginal<typeof LibPgQuery>();
  return {
    ...real,
    loadModule: () => {
      mainThreadParser.loads++;
      return real.loadModule();
    },
    parseSync: (...args: Parameters<typeof real.parseSync>) => {
      mainThreadParser.parses++;
      return real.parseSync(...args);
    },
    scanSync: (...args: Parameters<typeof real.scanSync>) => {
      mainThreadParser.parses++;
      return real.scanSync(...args);
    },
  };
});

/**
 * The longest the event loop may work without a turn to accept a request, in CPU time of its
 * thread: what a /healthz answer waits for at worst on an idle machine, whatever the load.
 */
const LONGEST_CPU_MS = 100;

const SECRET = "health-during-analysis-secret";
let server: { stop(): Promise<unknown> } | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const port = await freePort();
  server = await startServer({
    env: {
      APP_ID: "123",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "error",
      DATA_DIR: mkdtempSync(join(tmpdir(), "de-health-analysis-")),
      ...extra,
    },
    Octokit: TestOctokit,
  });
  return `http://127.0.0.1:${port}`;
}

function deliver(base: string, payload: unknown): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": "aaaaaaaa-2222-3333-4444-555555555555",
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
    body,
  });
}

const NEAR_1_MIB = 1024 * 1024 - 4096;

function repeatTo(bytes: number, unit: (i: number) => string): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const part = unit(i);
    parts.push(part);
    length += part.length;
  }
  return parts.join("");
}

/**
 * The worst files a review still reads (gather refuses files over 1 MiB and deeper nesting): ~1 MiB
 * of comments nested as deep as the pre-scan lets through (0.4 s of parsing alone on an idle
 * machine), and ~1 MiB of INSERTs, 17 000 statements (1.8 s of parsing and analysis).
 */
const NESTED: HeadFile = {
  path: "db/migrations/0001_nested_comments.up.sql",
  text: repeatTo(NEAR_1_MIB, () => `${"/*".repeat(MAX_COMMENT_NESTING)} x ${"*/".repeat(MAX_COMMENT_NESTING)}\nSELECT 1;\n`),
};
const INSERTS: HeadFile = {
  path: "db/migrations/0002_seed.up.sql",
  text: repeatTo(NEAR_1_MIB, (i) => `INSERT INTO seed (a, b) VALUES (${i}, 'row ${i}');\n`),
};
/** A quarter of a MiB in one statement, which the replay runs in a moment: its parse is the work to keep off the event loop. */
const SEED: HeadFile = {
  path: "db/migrations/0004_seed.up.sql",
  text: `CREATE TABLE seed (a integer, b text);\nINSERT INTO seed (a, b) VALUES\n${repeatTo(NEAR_1_MIB / 4, (i) => `${i === 0 ? "" : ",\n"}(${i}, 'row ${i}')`)};\n`,
};
const SEED_DOWN: HeadFile = { path: "db/migrations/0004_seed.down.sql", text: "DROP TABLE seed;\n" };
const DOWNS: HeadFile[] = [
  { path: "db/migrations/0001_nested_comments.down.sql", text: "SELECT 1;\n" },
  { path: "db/migrations/0002_seed.down.sql", text: "DELETE FROM seed;\n" },
];

interface HealthAnswer {
  /** When the request was sent. */
  at: number;
  /** From sending the request to the end of the answer. */
  latency: number;
  /** How late the 20 ms pause before it ended: the event loop held elsewhere between two requests. */
  lateness: number;
  /** When that pause began (the first request's: when polling began). */
  pausedAt: number;
}

/** Asks /healthz every 20 ms until `until` settles. */
async function pollHealth(base: string, until: Promise<unknown>): Promise<HealthAnswer[]> {
  let settled = false;
  void until.finally(() => (settled = true)).catch(() => undefined);
  const answers: HealthAnswer[] = [];
  let lateness = 0;
  let pausedAt = performance.now();
  while (!settled) {
    const at = performance.now();
    const response = await fetch(`${base}/healthz`);
    await response.text();
    answers.push({ at, latency: performance.now() - at, lateness, pausedAt });
    expect(response.status).toBe(200);
    const pause = performance.now();
    pausedAt = pause;
    await sleep(20);
    lateness = performance.now() - pause - 20;
  }
  return answers;
}

interface AnalysisWindow {
  start: number;
  end?: number;
  inWorker: boolean;
}

/** The start and end of each review's analysis, as analyse() publishes them. */
function watchAnalyses(): { windows: AnalysisWindow[]; stop(): void } {
  const windows: AnalysisWindow[] = [];
  const onMessage = (message: unknown) => {
    const { phase, inWorker } = message as { phase: "start" | "end"; inWorker: boolean };
    if (phase === "start") windows.push({ start: performance.now(), inWorker });
    else {
      const open = windows.findLast((w) => w.end === undefined);
      if (open) open.end = performance.now();
    }
  };
  subscribe(ANALYSIS_CHANNEL, onMessage);
  return { windows, stop: () => unsubscribe(ANALYSIS_CHANNEL, onMessage) };
}

/** The answers' figures; `from`: the event loop's holds count from then (a pause begun before it is another window's). */
function summary(answers: readonly HealthAnswer[], from = Number.NEGATIVE_INFINITY) {
  const latencies = answers.map((a) => a.latency);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    answers: answers.length,
    max: Math.max(...latencies),
    p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
    over100: latencies.filter((l) => l >= 100).length,
    maxLateness: Math.max(0, ...answers.filter((a) => a.pausedAt >= from).map((a) => a.lateness)),
  };
}

describe("analysis off the event loop", () => {
  it("answers /healthz in under 100 ms while the nested-comment file and a 1 MiB migration are analysed", { timeout: 180_000 }, async () => {
    const base = await start();
    const github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, { changed: [NESTED, INSERTS], beside: DOWNS });
    // The same server idle first (the first answer warms the connection up): what this machine's scheduler alone does.
    const idle = summary((await pollHealth(base, sleep(3000))).slice(1));
    const analyses = watchAnalyses();
    const work = await watchMainThreadWork();
    let answers: HealthAnswer[];
    try {
      expect((await deliver(base, payload)).status).toBe(200);
      const review = github.waitUntilDone(150_000);
      answers = await pollHealth(base, review);
      await review;
    } finally {
      analyses.stop();
      await work.stop();
    }

    // The job creates its check run once, completed with the result (issue 19 item 5).
    const check = checkCompletion(github) as { conclusion?: string; output?: { summary?: string } } | undefined;
    expect(check?.conclusion, check?.output?.summary).toBe("success");
    expect(check?.output?.summary).toMatch(/\| 0 \| 0 \| 0 \|/);
    expect(analyses.windows).toHaveLength(1);
    const [window] = analyses.windows;
    expect(window?.inWorker).toBe(true);
    const end = window?.end ?? Number.NEGATIVE_INFINITY;
    const during = answers.filter((a) => window !== undefined && a.at >= window.start && a.at + a.latency <= end);
    // The first answer of the window may follow a pause begun before the analysis started: how long
    // the event loop was held then is not the analysis's, which is what this test bounds (the
    // stretch before it, ~0.4 s of CPU since before issue 20, is the job's reading and preparing).
    const seen = summary(during, window?.start);
    // Stretches within the window: the one that ends it goes on with what the review does next (compose).
    const longestCpu = work.longestMs(window?.start, end);
    const around = work
      .over(50)
      .map((s) => `${(s.from - (window?.start ?? 0)).toFixed(0)}–${(s.to - (window?.start ?? 0)).toFixed(0)} ms: ${s.cpuMs.toFixed(0)} ms CPU`)
      .join("; ");
    process.stdout.write(
      `/healthz idle: ${idle.answers} answers, max ${idle.max.toFixed(0)} ms, ${idle.over100} at 100 ms or more; ` +
        `while analysing (${(end - (window?.start ?? 0)).toFixed(0)} ms): ${seen.answers} answers, max ${seen.max.toFixed(0)} ms, ` +
        `p99 ${seen.p99.toFixed(0)} ms, ${seen.over100} at 100 ms or more; the event loop held at most ${seen.maxLateness.toFixed(0)} ms between requests; ` +
        `its longest uninterrupted work ${longestCpu.toFixed(1)} ms of CPU (50 ms or more, from the window's start: ${around || "none"})\n`,
    );
    expect(seen.answers).toBeGreaterThan(20);
    // Under 100 ms, 99 answers in 100: a 2-core machine shared by many processes delays even an
    // idle server's answer past 100 ms now and then (the idle figures above). Analysing on the
    // event loop instead holds every answer for the whole parse: seconds for these files.
    expect(seen.p99, "the 99th percentile of /healthz answer times while analysing").toBeLessThan(100);
    expect(seen.over100, "answers of 100 ms or more while analysing").toBeLessThanOrEqual(Math.max(1, Math.ceil(seen.answers / 50)));
    expect(seen.max, "the slowest /healthz answer while analysing").toBeLessThan(1000);
    expect(seen.maxLateness, "the longest the event loop was held between two requests").toBeLessThan(1000);
    // The same bound in CPU time, which no load on the machine lengthens (helpers/main-thread-work.ts).
    expect(longestCpu, "the event loop's longest uninterrupted work while analysing, CPU ms").toBeLessThan(LONGEST_CPU_MS);
    expect(mainThreadParser).toEqual({ imports: 0, loads: 0, parses: 0 });
  });

  it("replays a pull request's large migration without parsing it on the event loop, and answers /healthz meanwhile", { timeout: 180_000 }, async () => {
    const base = await start();
    const github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, { changed: [SEED], beside: [SEED_DOWN], config: "replay:\n  enabled: true\n  deadlineSeconds: 40\n" });
    expectHeadTarball(github, payload, [SEED, SEED_DOWN]);
    const work = await watchMainThreadWork();

    const started = performance.now();
    let answers: HealthAnswer[];
    try {
      expect((await deliver(base, payload)).status).toBe(200);
      const review = github.waitUntilDone(150_000);
      answers = await pollHealth(base, review);
      await review;
    } finally {
      await work.stop();
    }

    // The job creates its check run once, completed with the result (issue 19 item 5).
    const check = checkCompletion(github) as { conclusion?: string; output?: { summary?: string } } | undefined;
    // Replayed, or cut at its deadline on a busy machine: either way its analysis ran in the pool.
    expect(check?.output?.summary).toMatch(/Replay: 1 migration replayed on PostgreSQL|Replay unavailable/);
    const seen = summary(answers.slice(1));
    const longestCpu = work.longestMs();
    process.stdout.write(
      `replaying (${(performance.now() - started).toFixed(0)} ms): ${seen.answers} /healthz answers, max ${seen.max.toFixed(0)} ms, p99 ${seen.p99.toFixed(0)} ms; ` +
        `the event loop's longest uninterrupted work ${longestCpu.toFixed(1)} ms of CPU (${work
          .over(LONGEST_CPU_MS)
          .map((s) => s.cpuMs.toFixed(0))
          .join(", ")})\n`,
    );
    // The review's analysis and the replay's ran in the analysis pool: this thread never loaded the parser.
    expect(mainThreadParser).toEqual({ imports: 0, loads: 0, parses: 0 });
    expect(seen.p99, "the 99th percentile of /healthz answer times while reviewing").toBeLessThan(100);
  });

  it("lists a migration over the analysis's deadline as not reviewed, and the check fails", { timeout: 120_000 }, async () => {
    // A tiny deadline, not a long wait: no migration is analysed within a millisecond.
    const base = await start({ ANALYSIS_MIGRATION_DEADLINE_SECONDS: "0.001" });
    const github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    const add = { path: "db/migrations/0003_add_users.up.sql", text: "CREATE TABLE users (id bigint PRIMARY KEY);\n" };
    expectMigrationReview(github, payload, { changed: [add], beside: [{ path: "db/migrations/0003_add_users.down.sql", text: "DROP TABLE users;\n" }] });

    expect((await deliver(base, payload)).status).toBe(200);
    await github.waitUntilDone(60_000);

    // The job creates its check run once, completed with the result (issue 19 item 5).
    const check = checkCompletion(github) as { conclusion?: string; output?: { title?: string; summary?: string } } | undefined;
    expect(check?.conclusion).toBe("failure");
    expect(check?.output?.summary).toContain("**Not reviewed:**");
    expect(check?.output?.summary).toContain("`db/migrations/0003_add_users.up.sql`: analysis took longer than 0.001 s");
  });
});
