import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { pullRequestWebhook, startApp, type AppProcess } from "../test/helpers/app-process.js";
import { DEFAULT_MIGRATION_FILES, LoopbackGitHub, type CheckRunRecord } from "../test/helpers/loopback-github.js";
import { redisServerBinary, startRedis, type ThrowawayRedis } from "./webhook-load/redis.js";
import { mb, metricValue, ms, parseMetrics, percentile, ratio, summariseLog, table, type LogSummary, type MetricSample } from "./webhook-load/report.js";
import { headKey, planWorkload, type BenchPullRequest, type Delivery, type Workload } from "./webhook-load/workload.js";

/**
 * The webhook load benchmark: the built server (`node dist/main.js`) in a child process against
 * the loopback GitHub (test/helpers/loopback-github.ts), once on each job queue adapter (the
 * embedded SQLite store, then BullMQ on a throwaway redis-server). Signed `pull_request` webhooks
 * go out at a fixed rate (open-loop: send i is due at t0 + i/rate whatever the earlier answers
 * did, and its latency counts from that due time, so a stalled server cannot hide its stall), from
 * a seeded mix: pull requests spread over many installations (the app spaces each installation's
 * writes a second apart, src/github/write-spacing.ts), ~10% of them changing migrations (a full review, the rest a quick "no
 * relevant changes"), ~5% redeliveries and ~5% later pushes. Then it waits until every distinct
 * delivery has a completed check run on the loopback GitHub and the queue is empty, and reports
 * latencies, drain time, memory, check run conclusions, duplicates and lost jobs.
 *
 * Lost: an accepted delivery (answered 2xx) left without a completed check run once the queue is
 * idle and GitHub has seen no request for 15 s, or, at any time, one whose check run is still in
 * progress while a later push of the same pull request has completed its own (the queue starts the
 * newer job only after the older one settled, so nothing will complete it), or one whose check run
 * is in progress after the app logged an error for its delivery id (the job gave up on it). At the
 * drain timeout the others still missing are reported as pending, with the time they would take at
 * the rate seen.
 * The exit code is 1 when a job was lost, a check run was created twice or the drain timed out.
 *
 * Run: npm run bench:webhook-load [-- --webhooks 1000 --rate 50 --installations 100 --concurrency 32
 *   --seed 20260101 --adapters embedded,bullmq --drain-timeout 600 --json --dump FILE
 *   --migration-share 0.1 --redelivery-share 0.05 --push-share 0.05]
 * One installation's throughput (issue 19): --webhooks 60 --installations 1 --migration-share 1
 *   --redelivery-share 0 --push-share 0: when every check run is visible and every review posted.
 */

type Adapter = "embedded" | "bullmq";

const { values: args } = parseArgs({
  options: {
    webhooks: { type: "string", default: "1000" },
    rate: { type: "string", default: "50" },
    installations: { type: "string", default: "100" },
    concurrency: { type: "string", default: "32" },
    seed: { type: "string", default: "20260101" },
    adapters: { type: "string", default: "embedded,bullmq" },
    "drain-timeout": { type: "string", default: "600" },
    "migration-share": { type: "string", default: "0.1" },
    "redelivery-share": { type: "string", default: "0.05" },
    "push-share": { type: "string", default: "0.05" },
    json: { type: "boolean", default: false },
    dump: { type: "string" },
  },
});

function positive(name: string, raw: string | undefined, integer = true): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw new Error(`--${name} must be a positive ${integer ? "whole " : ""}number (got "${raw}")`);
  return value;
}

const WEBHOOKS = positive("webhooks", args.webhooks);
const RATE = positive("rate", args.rate, false);
const INSTALLATIONS = positive("installations", args.installations);
const CONCURRENCY = positive("concurrency", args.concurrency);
const SEED = positive("seed", args.seed);
const DRAIN_TIMEOUT_MS = positive("drain-timeout", args["drain-timeout"]) * 1000;

function share(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`--${name} must be a number from 0 to 1 (got "${raw}")`);
  return value;
}

/** The mix: `--migration-share 1 --redelivery-share 0 --push-share 0 --installations 1` is one installation's reviews only. */
const MIX = {
  migrationShare: share("migration-share", args["migration-share"]),
  redeliveryShare: share("redelivery-share", args["redelivery-share"]),
  pushShare: share("push-share", args["push-share"]),
};
const ADAPTERS = (args.adapters ?? "")
  .split(",")
  .map((a) => a.trim())
  .filter((a) => a !== "");
for (const adapter of ADAPTERS)
  if (adapter !== "embedded" && adapter !== "bullmq") throw new Error(`--adapters takes embedded and/or bullmq (got "${adapter}")`);
const JSON_OUTPUT = args.json === true;
/** Where to write, per adapter, the loopback GitHub's requests and check runs and the app's output (for a closer look). */
const DUMP = args.dump;
/** Pull requests of the warm-up (its own installation), not counted. */
const WARMUP_OWNER = "warmup";
const WARMUP_INSTALLATION = 999_999;
const SUPERSEDED_TITLE = /^Superseded/;

/** Progress goes to stderr, so that `--json` leaves stdout to the JSON. */
function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

interface SendOutcome {
  status: number;
  /** From the send's due time to the end of the answer. */
  latencyMs: number;
  /** How late the generator sent it (its own event loop). */
  lagMs: number;
  endedAt: number;
  error?: string;
}

interface LostJob {
  deliveryId: string;
  pr: string;
  headSha: string;
  state: string;
  /** Provably never completes: its pull request moved on and the newer head's check run completed. */
  stuck?: boolean;
}

/** How long the loopback GitHub must see no request, with the queue idle, before what is missing counts as lost. */
const QUIET_MS = 15_000;

interface AdapterResult {
  adapter: Adapter;
  webhooks: {
    sent: number;
    answered2xx: number;
    non2xx: number;
    statuses: Record<string, number>;
    errors: string[];
    distinct: number;
    redeliveries: number;
    pushes: number;
  };
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  sendLagMs: { p99: number; max: number };
  maxInFlight: number;
  sendSeconds: number;
  /** Answers per second, from the first due time to the last answer. */
  throughput: number;
  drain: {
    afterLastSendMs: number;
    fromFirstSendMs: number;
    /** The drain timeout ran out with jobs still queued or running. */
    timedOut: boolean;
    /** Ended by quiet (queue idle, no GitHub request for QUIET_MS) with deliveries still missing their check run. */
    quiescent: boolean;
    jobsPerSecond: number;
    /** At a timeout: how many accepted deliveries had no completed check run yet, and how long they would take at the rate seen. */
    pendingAtTimeout: number;
    estimatedRestSeconds?: number;
  };
  peakRssMb: number;
  /** Right after start, before any webhook. */
  startRssMb: number;
  /** After the warm-up (3 webhooks, one of them a full review). */
  warmRssMb: number;
  redisPeakRssMb?: number;
  checkRuns: { total: number; completed: number; byConclusion: Record<string, number>; superseded: number; reviewFailed: number };
  reviews: { posted: number; expected: number };
  /**
   * From the first send: when the check runs of the run became visible on GitHub (created, in
   * progress) and when its reviews were posted (median and last), from the loopback GitHub's log.
   */
  visibleMs: { checkRunsMedian: number; checkRunsAll: number; reviewsMedian: number; reviewsAll: number };
  duplicates: Array<{ deliveryId: string; checkRuns: number }>;
  lost: LostJob[];
  /** Still without a completed check run when the drain timed out, while the queue had work: not (yet) provably lost. */
  pending: LostJob[];
  problems: string[];
  queue: Record<string, number>;
  appLog: LogSummary & { stderrTail: string };
}

/** When check runs were created and reviews posted (answered 2xx), in ms from `t0Epoch`; the warm-up left out. */
function visibleTimes(github: LoopbackGitHub, t0Epoch: number): AdapterResult["visibleMs"] {
  const times = (operationId: string): number[] =>
    github
      .requestsTo(operationId)
      .filter((r) => !r.path.includes(`/repos/${WARMUP_OWNER}/`) && r.status !== undefined && r.status < 300)
      .map((r) => r.time + (r.durationMs ?? 0) - t0Epoch)
      .sort((a, b) => a - b);
  const checks = times("checks/create");
  const reviews = times("pulls/create-review");
  const middle = (values: number[]) => values[Math.floor((values.length - 1) / 2)] ?? 0;
  return { checkRunsMedian: middle(checks), checkRunsAll: checks.at(-1) ?? 0, reviewsMedian: middle(reviews), reviewsAll: reviews.at(-1) ?? 0 };
}

/** The check runs of one head commit per delivery, from one pass over the loopback GitHub's list. */
function checkRunsByHead(github: LoopbackGitHub): Map<string, CheckRunRecord[]> {
  const byHead = new Map<string, CheckRunRecord[]>();
  for (const run of github.checkRuns()) {
    if (run.owner === WARMUP_OWNER) continue;
    const key = headKey(run.owner, run.repo, run.head_sha);
    const list = byHead.get(key);
    if (list) list.push(run);
    else byHead.set(key, [run]);
  }
  return byHead;
}

interface Accounting {
  /** Distinct deliveries answered 2xx whose check run is missing or not completed. */
  pending: LostJob[];
  allRunsCompleted: boolean;
  byHead: Map<string, CheckRunRecord[]>;
}

function account(github: LoopbackGitHub, workload: Workload, accepted: ReadonlySet<string>): Accounting {
  const byHead = checkRunsByHead(github);
  const completed = (delivery: Delivery) => {
    const runs = byHead.get(headKey(delivery.pr.owner, delivery.pr.repo, delivery.headSha)) ?? [];
    return runs.length > 0 && runs.every((r) => r.status === "completed");
  };
  const pending: LostJob[] = [];
  for (const [index, delivery] of workload.deliveries.entries()) {
    if (!accepted.has(delivery.id)) continue;
    const { pr } = delivery;
    const runs = byHead.get(headKey(pr.owner, pr.repo, delivery.headSha)) ?? [];
    const open = runs.filter((r) => r.status !== "completed");
    if (runs.length > 0 && open.length === 0) continue;
    // A later push of the same pull request whose check run completed: the queue runs the newer
    // job only once the older one settled (superseded), so nothing will complete this one any more.
    const newer = workload.deliveries.slice(index + 1).find((d) => d.pr === pr && accepted.has(d.id) && completed(d));
    pending.push({
      deliveryId: delivery.id,
      pr: `${pr.owner}/${pr.repo}#${pr.number}`,
      headSha: delivery.headSha,
      state:
        (runs.length === 0 ? "no check run" : `check run ${open.map((r) => `${r.id} ${r.status} "${r.output.title ?? ""}"`).join(", ")}`) +
        (newer ? `; superseded by ${newer.id} (${newer.headSha.slice(0, 12)}), whose check run completed` : ""),
      ...(newer ? { stuck: true } : {}),
    });
  }
  let allRunsCompleted = true;
  for (const runs of byHead.values()) if (runs.some((r) => r.status !== "completed")) allRunsCompleted = false;
  return { pending, allRunsCompleted, byHead };
}

async function scrape(app: AppProcess): Promise<MetricSample[] | undefined> {
  try {
    const response = await fetch(`${app.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? parseMetrics(await response.text()) : undefined;
  } catch {
    return undefined;
  }
}

/** The last error-level message (with its error's message) the app logged for each delivery id. */
function errorsByDelivery(stdout: string): Map<string, string> {
  const errors = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    if (!line.includes('"deliveryId"')) continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; deliveryId?: unknown; msg?: unknown; err?: { message?: unknown } };
      if (typeof entry.level !== "number" || entry.level < 50 || typeof entry.deliveryId !== "string") continue;
      const detail = typeof entry.err?.message === "string" ? `: ${entry.err.message.slice(0, 160)}` : "";
      errors.set(entry.deliveryId, `${typeof entry.msg === "string" ? entry.msg : ""}${detail}`);
    } catch {
      // Not a JSON log line.
    }
  }
  return errors;
}

function webhookBody(delivery: Delivery): string {
  const { pr } = delivery;
  const payload = pullRequestWebhook(delivery.action, {
    owner: pr.owner,
    repo: pr.repo,
    number: pr.number,
    headSha: delivery.headSha,
    installationId: pr.installationId,
    changedFiles: pr.files.length,
    title: `Change ${pr.number}`,
  });
  return JSON.stringify(payload);
}

/** Sets up the warm-up pull requests and sends one webhook for each; resolves once their check runs completed. */
async function warmUp(app: AppProcess, github: LoopbackGitHub): Promise<void> {
  const prs: BenchPullRequest[] = [1, 2, 3].map((number) => ({
    installationId: WARMUP_INSTALLATION,
    owner: WARMUP_OWNER,
    repo: "warmup",
    number,
    migrations: number === 1,
    files: number === 1 ? DEFAULT_MIGRATION_FILES : [{ path: "README.md", text: "warm-up\n" }],
  }));
  for (const pr of prs) {
    const state = github.pullRequest(pr.owner, pr.repo, pr.number, { files: pr.files });
    const body = webhookBody({ id: `warmup-${pr.number}`, pr, action: "opened", headSha: state.headSha });
    const answer = await app.sendWebhook("pull_request", body, `warmup-${pr.number}`);
    if (answer.status >= 300) throw new Error(`the warm-up webhook was answered ${answer.status}: ${answer.body}\n${app.describe()}`);
  }
  await github.waitFor(
    (g) => {
      const runs = g.checkRuns({ owner: WARMUP_OWNER });
      return runs.length === prs.length && runs.every((r) => r.status === "completed");
    },
    60_000,
    "the warm-up check runs completed",
  );
}

async function runAdapter(adapter: Adapter, workload: Workload, redisBinary: string | undefined): Promise<AdapterResult> {
  const github = new LoopbackGitHub();
  let redis: ThrowawayRedis | undefined;
  let app: AppProcess | undefined;
  try {
    const { host } = await github.start();
    for (const pr of workload.pullRequests) github.pullRequest(pr.owner, pr.repo, pr.number, { files: pr.files, title: `Change ${pr.number}` });
    if (adapter === "bullmq") {
      if (!redisBinary) throw new Error("no redis-server");
      redis = await startRedis(redisBinary);
    }
    app = await startApp({
      githubHost: host,
      logLevel: "warn",
      env: { JOB_CONCURRENCY: String(CONCURRENCY), LOG_FORMAT: "json", SHUTDOWN_GRACE_SECONDS: "5", ...(redis ? { REDIS_URL: redis.url } : {}) },
    });
    const startRss = app.peakRssBytes();
    progress(`${adapter}: app up (pid ${app.pid}${redis ? `, redis-server pid ${redis.pid}` : ""}); warming up`);
    await warmUp(app, github);
    const warmRss = app.peakRssBytes();
    const running = app;

    // Every body is built before the clock starts: the loop only signs and sends.
    const bodies = new Map(workload.deliveries.map((d) => [d.id, webhookBody(d)]));
    const outcomes: Array<SendOutcome | undefined> = new Array<SendOutcome | undefined>(workload.sends.length);
    const answers: Array<Promise<void>> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    progress(`${adapter}: sending ${workload.sends.length} webhooks at ${RATE}/s`);
    const t0 = performance.now() + 50;
    for (const [i, send] of workload.sends.entries()) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const { delivery } = send;
      // A push moves the pull request's head on GitHub before GitHub sends its webhook.
      if (delivery.action === "synchronize" && !send.redelivery)
        github.pullRequest(delivery.pr.owner, delivery.pr.repo, delivery.pr.number, { headSha: delivery.headSha });
      const sentAt = performance.now();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      answers.push(
        running
          .sendWebhook("pull_request", bodies.get(delivery.id) ?? "", delivery.id)
          .then(
            (answer) => {
              const endedAt = performance.now();
              outcomes[i] = {
                status: answer.status,
                latencyMs: endedAt - due,
                lagMs: sentAt - due,
                endedAt,
                ...(answer.status >= 300 ? { error: answer.body.slice(0, 200) } : {}),
              };
            },
            (error: unknown) => {
              const endedAt = performance.now();
              outcomes[i] = {
                status: 0,
                latencyMs: endedAt - due,
                lagMs: sentAt - due,
                endedAt,
                error: error instanceof Error ? error.message : String(error),
              };
            },
          )
          .finally(() => inFlight--),
      );
    }
    const lastSentAt = performance.now();
    progress(`${adapter}: sent in ${((lastSentAt - t0) / 1000).toFixed(1)} s; waiting for the answers and the jobs`);
    await Promise.all(answers);
    const done = outcomes.filter((o): o is SendOutcome => o !== undefined);
    const lastAnswerAt = Math.max(...done.map((o) => o.endedAt));

    const accepted = new Set<string>();
    workload.sends.forEach((send, i) => {
      const status = outcomes[i]?.status ?? 0;
      if (status >= 200 && status < 300) accepted.add(send.delivery.id);
    });

    // Drained: every accepted delivery has a completed check run, none is in progress, and the
    // queue reports nothing queued or running.
    // Drained: every accepted delivery has a completed check run, none is in progress, and the
    // queue reports nothing queued or running. Or quiet: the queue is idle and GitHub has seen no
    // request for QUIET_MS; whatever is missing then is lost (drained at the last request).
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    let state = account(github, workload, accepted);
    let drainedAt: number | undefined;
    let quiescent = false;
    let lastProgress = performance.now();
    while (performance.now() < deadline) {
      if (running.exitedWith) throw new Error(`the app exited during the run\n${running.describe()}`);
      state = account(github, workload, accepted);
      const checksDone = state.pending.length === 0 && state.allRunsCompleted;
      const lastRequest = github.requests.at(-1)?.time ?? Date.now();
      const quietFor = Date.now() - lastRequest;
      if (checksDone || quietFor >= QUIET_MS) {
        const metrics = await scrape(running);
        const busy = metrics
          ? metricValue(metrics, "data_engineer_jobs", { state: "queued" }) + metricValue(metrics, "data_engineer_jobs", { state: "running" })
          : 0;
        if (busy === 0) {
          quiescent = !checksDone;
          drainedAt = checksDone ? performance.now() : performance.now() - quietFor;
          break;
        }
      }
      if (performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        progress(
          `${adapter}:   ${state.pending.length} deliveries without a completed check run, ${((performance.now() - lastSentAt) / 1000).toFixed(0)} s after the last send`,
        );
      }
      await sleep(200);
    }
    const timedOut = drainedAt === undefined;
    const drainEnd = drainedAt ?? performance.now();
    const doneAtEnd = accepted.size - state.pending.length;
    // A moment more, for a late duplicate check run.
    await sleep(1_000);
    state = account(github, workload, accepted);
    // At a timeout, only the stuck ones are provably lost; the rest may still be on their way.
    // The app's last error for a delivery (LOG_LEVEL=warn keeps those): a job that logged an
    // error and left its check run in progress has given up on it.
    const appErrors = errorsByDelivery(running.stdout);
    for (const p of state.pending) {
      const error = appErrors.get(p.deliveryId);
      if (error === undefined) continue;
      p.state += `; the app logged "${error}"`;
      if (p.state.includes("in_progress")) p.stuck = true;
    }
    const lost = timedOut ? state.pending.filter((p) => p.stuck) : state.pending;
    const notYet = timedOut ? state.pending.filter((p) => !p.stuck) : [];
    const metrics = (await scrape(running)) ?? [];
    const peakRss = running.peakRssBytes();
    const redisRss = redis?.peakRssBytes();

    const latencies = done.map((o) => o.latencyMs);
    const lags = done.map((o) => o.lagMs);
    const statuses: Record<string, number> = {};
    for (const o of done) statuses[String(o.status)] = (statuses[String(o.status)] ?? 0) + 1;
    const answered2xx = done.filter((o) => o.status >= 200 && o.status < 300).length;
    const errors = [...new Set(done.filter((o) => o.error !== undefined).map((o) => `${o.status}: ${o.error}`))].slice(0, 10);

    const ours = new Map(workload.deliveries.map((d) => [headKey(d.pr.owner, d.pr.repo, d.headSha), d]));
    const byConclusion: Record<string, number> = {};
    let superseded = 0;
    let reviewFailed = 0;
    let total = 0;
    let completed = 0;
    let expectedReviews = 0;
    const duplicates: AdapterResult["duplicates"] = [];
    for (const [key, runs] of state.byHead) {
      const delivery = ours.get(key);
      if (runs.length > 1) duplicates.push({ deliveryId: delivery?.id ?? `(no delivery) ${key}`, checkRuns: runs.length });
      for (const run of runs) {
        total++;
        if (run.status !== "completed") continue;
        completed++;
        const conclusion = run.conclusion ?? "(none)";
        byConclusion[conclusion] = (byConclusion[conclusion] ?? 0) + 1;
        if (SUPERSEDED_TITLE.test(run.output.title ?? "")) superseded++;
        else if (run.output.title === "Review failed") reviewFailed++;
        else if (delivery?.pr.migrations) expectedReviews++;
      }
    }
    const reviews = github.reviews().filter((r) => r.owner !== WARMUP_OWNER).length;
    const queue: Record<string, number> = {};
    for (const jobState of ["queued", "running", "done", "superseded", "dead"])
      queue[jobState] = metricValue(metrics, "data_engineer_jobs", { state: jobState });
    for (const counter of ["enqueued", "duplicate", "retried", "dead", "superseded"])
      queue[`${counter}_total`] = metricValue(metrics, `data_engineer_jobs_${counter}_total`);

    const result: AdapterResult = {
      adapter,
      webhooks: {
        sent: workload.sends.length,
        answered2xx,
        non2xx: workload.sends.length - answered2xx,
        statuses,
        errors,
        distinct: workload.deliveries.length,
        redeliveries: workload.sends.filter((s) => s.redelivery).length,
        pushes: workload.deliveries.filter((d) => d.action === "synchronize").length,
      },
      latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: Math.max(...latencies) },
      sendLagMs: { p99: percentile(lags, 99), max: Math.max(...lags) },
      maxInFlight,
      sendSeconds: (lastSentAt - t0) / 1000,
      throughput: done.length / ((lastAnswerAt - t0) / 1000),
      drain: {
        afterLastSendMs: drainEnd - lastSentAt,
        fromFirstSendMs: drainEnd - t0,
        timedOut,
        quiescent,
        jobsPerSecond: doneAtEnd / ((drainEnd - t0) / 1000),
        pendingAtTimeout: notYet.length,
        ...(timedOut && doneAtEnd > 0 ? { estimatedRestSeconds: notYet.length / (doneAtEnd / ((drainEnd - t0) / 1000)) } : {}),
      },
      peakRssMb: Number(mb(peakRss)),
      startRssMb: Number(mb(startRss)),
      warmRssMb: Number(mb(warmRss)),
      ...(redisRss !== undefined ? { redisPeakRssMb: Number(mb(redisRss)) } : {}),
      checkRuns: { total, completed, byConclusion, superseded, reviewFailed },
      reviews: { posted: reviews, expected: expectedReviews },
      visibleMs: visibleTimes(github, Date.now() - (performance.now() - t0)),
      duplicates,
      lost,
      pending: notYet,
      problems: [...github.problems],
      queue,
      appLog: { ...summariseLog(running.stdout), stderrTail: running.stderr.slice(-3000) },
    };
    if (lost.length > 0) {
      // What the app logged about the lost deliveries (warn and above: LOG_LEVEL=warn).
      const ids = new Set(lost.map((p) => p.deliveryId));
      const lines = running.stdout.split("\n").filter((line) => [...ids].some((id) => line.includes(id)));
      result.appLog.other.push(...lines.slice(0, 40).map((line) => `[lost] ${line.slice(0, 400)}`));
    }
    if (DUMP) {
      const file = `${DUMP}.${adapter}.json`;
      const t0Epoch = Date.now() - (performance.now() - t0);
      writeFileSync(
        file,
        JSON.stringify({
          t0: t0Epoch,
          sends: workload.sends.map((s, i) => ({
            id: s.delivery.id,
            redelivery: s.redelivery,
            action: s.delivery.action,
            pr: `${s.delivery.pr.owner}/${s.delivery.pr.repo}#${s.delivery.pr.number}`,
            head: s.delivery.headSha,
            installation: s.delivery.pr.installationId,
            ...outcomes[i],
          })),
          requests: github.requests,
          checkRuns: github.checkRuns(),
          stdout: running.stdout,
          stderr: running.stderr,
        }),
      );
      progress(`${adapter}: wrote ${file}`);
    }
    progress(
      `${adapter}: ${timedOut ? `NOT drained (timed out, ${notYet.length} pending)` : `drained ${(result.drain.afterLastSendMs / 1000).toFixed(1)} s after the last send`}; stopping`,
    );
    await running.stop(15_000);
    return result;
  } finally {
    await app?.dispose();
    await redis?.stop();
    await github.close();
  }
}

function conclusions(result: AdapterResult): string {
  const parts = Object.entries(result.checkRuns.byConclusion)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([conclusion, count]) => `${conclusion} ${count}`);
  return parts.join(", ") || "none";
}

function render(results: AdapterResult[], skipped: string[], workload: Workload): string {
  const lines: string[] = [];
  const migrations = workload.pullRequests.filter((p) => p.migrations).length;
  const redeliveries = workload.sends.filter((s) => s.redelivery).length;
  const pushes = workload.deliveries.filter((d) => d.action === "synchronize").length;
  lines.push(
    `webhook load: ${workload.sends.length} pull_request webhooks at ${RATE}/s, seed ${SEED}; ${workload.pullRequests.length} pull requests over ${INSTALLATIONS} installations ` +
      `(${migrations} with migrations), ${pushes} later pushes, ${redeliveries} redeliveries; JOB_CONCURRENCY=${CONCURRENCY}, LOG_LEVEL=warn`,
  );
  lines.push("latency: from each send's scheduled time (t0 + i/rate) to the end of its answer; 3 warm-up webhooks before t0 are not counted");
  lines.push("");
  const row = (label: string, value: (r: AdapterResult) => string): string[] => [label, ...results.map(value)];
  lines.push(
    table([
      ["", ...results.map((r) => r.adapter)],
      row("webhooks sent", (r) => String(r.webhooks.sent)),
      row("  distinct deliveries", (r) => String(r.webhooks.distinct)),
      row("answered 2xx", (r) => String(r.webhooks.answered2xx)),
      row("non-2xx (or no answer)", (r) => String(r.webhooks.non2xx)),
      row("response p50 (ms)", (r) => ms(r.latencyMs.p50)),
      row("response p90 (ms)", (r) => ms(r.latencyMs.p90)),
      row("response p99 (ms)", (r) => ms(r.latencyMs.p99)),
      row("response max (ms)", (r) => ms(r.latencyMs.max)),
      row("max webhooks in flight", (r) => String(r.maxInFlight)),
      row("sender lag p99 / max (ms)", (r) => `${ms(r.sendLagMs.p99)} / ${ms(r.sendLagMs.max)}`),
      row("answers/s (t0 to last answer)", (r) => r.throughput.toFixed(1)),
      row(
        "drain after last send (s)",
        (r) => `${r.drain.timedOut ? ">" : ""}${(r.drain.afterLastSendMs / 1000).toFixed(1)}${r.drain.timedOut ? " TIMEOUT" : ""}`,
      ),
      row("drain from first send (s)", (r) => (r.drain.fromFirstSendMs / 1000).toFixed(1)),
      row(
        "check runs visible, median / all (s)",
        (r) => `${(r.visibleMs.checkRunsMedian / 1000).toFixed(1)} / ${(r.visibleMs.checkRunsAll / 1000).toFixed(1)}`,
      ),
      row("reviews posted, median / all (s)", (r) => `${(r.visibleMs.reviewsMedian / 1000).toFixed(1)} / ${(r.visibleMs.reviewsAll / 1000).toFixed(1)}`),
      row("jobs/s (first send to drained)", (r) => r.drain.jobsPerSecond.toFixed(1)),
      row("pending at timeout", (r) => (r.drain.timedOut ? String(r.drain.pendingAtTimeout) : "-")),
      row("  at that rate, done in (s)", (r) => (r.drain.estimatedRestSeconds === undefined ? "-" : `~${r.drain.estimatedRestSeconds.toFixed(0)} more`)),
      row("app peak RSS at start / warm (MB)", (r) => `${r.startRssMb} / ${r.warmRssMb}`),
      row("app peak RSS (MB, VmHWM)", (r) => String(r.peakRssMb)),
      row("redis-server peak RSS (MB)", (r) => (r.redisPeakRssMb === undefined ? "-" : String(r.redisPeakRssMb))),
      row("check runs completed", (r) => `${r.checkRuns.completed}/${r.checkRuns.total}`),
      row("  superseded (neutral)", (r) => String(r.checkRuns.superseded)),
      row("  review failed", (r) => String(r.checkRuns.reviewFailed)),
      row("reviews posted (expected)", (r) => `${r.reviews.posted} (${r.reviews.expected})`),
      row("duplicates", (r) => String(r.duplicates.length)),
      row("jobs lost", (r) => String(r.lost.length)),
      row("loopback problems", (r) => String(r.problems.length)),
      row("queue: done / superseded / dead", (r) => `${r.queue.done ?? 0} / ${r.queue.superseded ?? 0} / ${r.queue.dead ?? 0}`),
      row("queue: enqueued / dup / retried", (r) => `${r.queue.enqueued_total ?? 0} / ${r.queue.duplicate_total ?? 0} / ${r.queue.retried_total ?? 0}`),
      row("app log warn / error lines", (r) => `${r.appLog.warnings} / ${r.appLog.errors}`),
    ]),
  );
  lines.push("");
  for (const r of results) {
    lines.push(`${r.adapter}: check runs by conclusion: ${conclusions(r)}`);
    const statuses = Object.entries(r.webhooks.statuses)
      .map(([status, count]) => `${status === "0" ? "no answer" : status} ${count}`)
      .join(", ");
    lines.push(`${r.adapter}: answers by status: ${statuses}`);
    if (r.webhooks.errors.length > 0) lines.push(`${r.adapter}: failed answers:`, ...r.webhooks.errors.map((e) => `  ${e}`));
    if (r.lost.length > 0)
      lines.push(
        `${r.adapter}: LOST (${r.lost.length}):`,
        ...r.lost.slice(0, 50).map((l) => `  ${l.deliveryId} ${l.pr} ${l.headSha.slice(0, 12)}: ${l.state}`),
      );
    if (r.pending.length > 0) {
      lines.push(
        `${r.adapter}: ${r.pending.length} deliveries still without a completed check run at the drain timeout (queue busy; not counted as lost), first 10:`,
        ...r.pending.slice(0, 10).map((l) => `  ${l.deliveryId} ${l.pr} ${l.headSha.slice(0, 12)}: ${l.state}`),
      );
    }
    if (r.duplicates.length > 0)
      lines.push(`${r.adapter}: DUPLICATES (${r.duplicates.length}):`, ...r.duplicates.slice(0, 50).map((d) => `  ${d.deliveryId}: ${d.checkRuns} check runs`));
    if (r.problems.length > 0)
      lines.push(`${r.adapter}: loopback problems (first 10 of ${r.problems.length}):`, ...r.problems.slice(0, 10).map((p) => `  ${p.slice(0, 300)}`));
    if (r.appLog.top.length > 0)
      lines.push(
        `${r.adapter}: app log (warn and above), most frequent:`,
        ...r.appLog.top.map(
          (t) =>
            `  ${t.count}x ${t.level}: ${t.msg}${t.deliveryIds.length > 0 ? ` (deliveries ${t.deliveryIds.join(", ")}${t.count > t.deliveryIds.length ? ", …" : ""})` : ""}`,
        ),
      );
    if (r.appLog.other.length > 0) lines.push(`${r.adapter}: other app output:`, ...r.appLog.other.map((o) => `  ${o}`));
    if (r.appLog.stderrTail.trim() !== "")
      lines.push(
        `${r.adapter}: app stderr (tail):`,
        ...r.appLog.stderrTail
          .trim()
          .split("\n")
          .map((l) => `  ${l}`),
      );
  }
  for (const s of skipped) lines.push(s);
  const embedded = results.find((r) => r.adapter === "embedded");
  const bullmq = results.find((r) => r.adapter === "bullmq");
  if (embedded && bullmq) {
    lines.push(
      `embedded vs bullmq (embedded ÷ bullmq): p50 ${ratio(embedded.latencyMs.p50, bullmq.latencyMs.p50)}, p99 ${ratio(embedded.latencyMs.p99, bullmq.latencyMs.p99)}, ` +
        `drain after last send ${ratio(embedded.drain.afterLastSendMs, bullmq.drain.afterLastSendMs)}, app RSS ${ratio(embedded.peakRssMb, bullmq.peakRssMb)}` +
        ` (app + redis-server RSS: ${ratio(embedded.peakRssMb, bullmq.peakRssMb + (bullmq.redisPeakRssMb ?? 0))})` +
        (embedded.drain.timedOut || bullmq.drain.timedOut ? "; a drain timed out, so its drain ratio compares the timeout, not the drain" : ""),
    );
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const workload = planWorkload({ webhooks: WEBHOOKS, installations: INSTALLATIONS, seed: SEED, ...MIX });
  const results: AdapterResult[] = [];
  const skipped: string[] = [];
  const redisBinary = ADAPTERS.includes("bullmq") ? redisServerBinary() : undefined;
  for (const adapter of ADAPTERS as Adapter[]) {
    if (adapter === "bullmq" && !redisBinary) {
      const line = "bullmq: skipped (no redis-server)";
      skipped.push(line);
      progress(line);
      continue;
    }
    results.push(await runAdapter(adapter, workload, redisBinary));
  }
  if (JSON_OUTPUT) {
    console.log(
      JSON.stringify({ webhooks: WEBHOOKS, rate: RATE, installations: INSTALLATIONS, concurrency: CONCURRENCY, seed: SEED, results, skipped }, null, 2),
    );
  } else {
    console.log(render(results, skipped, workload));
  }
  const bad = results.some((r) => r.lost.length > 0 || r.drain.timedOut || r.duplicates.length > 0);
  return bad ? 1 : 0;
}

// Ctrl-C: exit through process.exit, so that the harness's exit hooks kill the app and redis-server.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

process.exitCode = await main();
