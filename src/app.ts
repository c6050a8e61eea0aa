import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { ApplicationFunction, ApplicationFunctionOptions, Probot } from "probot";
import type { AgentRuntime } from "./agent/agent-review.js";
import { agentRuntimeFromEnv } from "./agent/runtime.js";
import { CommandRateLimiter } from "./commands/rate-limit.js";
import { healthzHandler } from "./handlers/healthz.js";
import { registerCheckRunHandlers } from "./handlers/check-run.js";
import { registerCommandHandlers } from "./handlers/commands.js";
import { registerInstallationHandlers } from "./handlers/installation.js";
import { registerPullRequestHandler } from "./handlers/pull-request.js";
import { recordCheckRuns } from "./github/check-run-ledger.js";
import { abortWithJob } from "./github/job-signal.js";
import { startCheckRunSweeper } from "./jobs/check-run-sweeper.js";
import { systemQueueClock } from "./jobs/queue-clock.js";
import { sweepDeadlineFromEnv } from "./jobs/sweep-deadline.js";
import { GoneInstallations } from "./jobs/gone-installations.js";
import { Intake, type JobSink } from "./jobs/job-sink.js";
import { openJobQueue } from "./jobs/open-queue.js";
import { PermanentJobError, type JobProcessor, type JobQueue } from "./jobs/queue.js";
import { metricsHandler, readyzHandler } from "./ops/http-handlers.js";
import { metrics } from "./ops/metrics.js";
import { useAnalysisCache, useAnalysisPool } from "./review/analyse.js";
import { analysisCacheIn } from "./review/analysis-cache.js";
import { toolVersion } from "./cli/cache-location.js";
import { AnalysisPool } from "./review/analysis-pool.js";
import { analysisSettingsFromEnv } from "./review/analysis-settings.js";

export interface AppDependencies {
  /** The data-engineer agent; by default from the environment (none without a Gemini key). */
  agent?: AgentRuntime | "from-env" | "off";
  env?: NodeJS.ProcessEnv;
  /** The job queue; by default opened from the environment (REDIS_URL, else DATA_DIR). */
  jobs?: JobQueue;
  /** Closed when the server begins to shut down: webhooks are refused from then on. */
  intake?: Intake;
  /** `/data-engineer` commands per pull request per hour (in memory, per process). */
  commandLimiter?: CommandRateLimiter;
  /** Told the queue and intake once the worker runs, so the server can stop them on SIGTERM. */
  onJobsStarted?: (jobs: JobQueue, intake: Intake, log: Logger) => void;
}

/**
 * The Probot app: handlers that answer webhooks at once by queueing jobs, and the worker that
 * runs the jobs (reviews, re-runs, commands) with an installation's Octokit.
 */
export function createDataEngineerApp(deps: AppDependencies = {}): ApplicationFunction {
  return async (app: Probot, options?: Partial<ApplicationFunctionOptions>): Promise<void> => {
    const env = deps.env ?? process.env;
    const agent = deps.agent === "off" ? undefined : deps.agent === undefined || deps.agent === "from-env" ? agentRuntimeFromEnv(env, app.log) : deps.agent;
    app.log.info({ agent: agent ? "on" : "off" }, agent ? "data-engineer agent enabled" : "no Gemini credentials: reviews are the analyser's alone");
    const jobs = deps.jobs ?? (await openJobQueue(env, app.log));
    const intake = deps.intake ?? new Intake();
    const limiter = deps.commandLimiter ?? new CommandRateLimiter();
    // Pull requests' SQL is parsed in worker threads (started on the first review), never on the event loop.
    const analysis = analysisSettingsFromEnv(env).settings;
    await useAnalysisPool(analysis ? new AnalysisPool({ ...analysis, log: app.log }) : undefined);
    // Reviews' analyses are cached under DATA_DIR (bounded, one file per entry, atomic renames):
    // a re-run or a push that changes no migration is not parsed again. Only where DATA_DIR is
    // named (the image sets /data): a process without one keeps nothing on disk.
    const dataDir = env.DATA_DIR?.trim();
    useAnalysisCache(dataDir ? analysisCacheIn(join(resolve(dataDir), "analysis-results"), toolVersion()) : undefined);

    const sink: JobSink = {
      enqueue: async (job) => {
        const result = await jobs.enqueue(job);
        if (result.enqueued) metrics.jobEnqueued(job.kind);
        else metrics.jobDuplicate(job.kind);
        return result;
      },
    };
    const checkRuns = jobs.checkRuns;
    registerPullRequestHandler(app, { jobs: sink, intake, heads: jobs.heads });
    registerCheckRunHandlers(app, { jobs: sink, intake });
    registerCommandHandlers(app, { jobs: sink, intake });
    const gone = new GoneInstallations();
    registerInstallationHandlers(app, gone);

    // The processor (the review pipeline, the rules, the replay, the agent and the commands: most
    // of the code) is loaded a second after start or by the first job, not before /readyz (issue 20).
    const processor = loadedOnFirstUse(async () => {
      const [{ createJobProcessor }, { createReplayRunner }] = await importJobCode();
      // The server replays often: a spare clone of each recent base makes the next replay start
      // without copying it (external engine only; REPLAY_SPARE_CLONES=0 turns it off).
      const replay = createReplayRunner({ env, log: app.log, spareClones: !/^(0|false)$/i.test(env.REPLAY_SPARE_CLONES?.trim() ?? "") });
      return createJobProcessor({
        octokitFor: async (installationId) => {
          if (installationId === undefined) throw new PermanentJobError("the event named no installation of the app to act as");
          // A job's requests are cancelled with it, also while they wait in the write queue (src/github/job-signal.ts).
          const octokit = await app.auth(installationId);
          if (checkRuns) recordCheckRuns(octokit, installationId, checkRuns);
          return abortWithJob(octokit);
        },
        heads: jobs.heads,
        ...(agent ? { agent } : {}),
        replay,
        commands: { limiter, replay, ...(agent ? { agent } : {}) },
        log: app.log,
        gone,
        observe: {
          run: (kind, outcome, seconds) => metrics.jobFinished(kind, outcome, seconds),
          event: (kind, event) => (event === "superseded" ? metrics.jobSuperseded(kind) : event === "dead" ? metrics.jobDead(kind) : metrics.jobRetried(kind)),
        },
      });
    });
    metrics.setJobCounts(() => jobs.counts());
    app.onAny((context) => {
      metrics.webhook(context.name);
    });
    const recovery = await jobs.start(processor);
    // Loaded soon after start, while the server is idle, so that the first review does not hold
    // the event loop for the import (issue 18: /healthz answers while a review runs).
    setTimeout(() => {
      processor.load().catch((error: unknown) => app.log.warn({ err: error }, "could not load the job processor; the first job tries again"));
    }, PROCESSOR_PRELOAD_DELAY_MS).unref();
    app.log.info({ adapter: jobs.adapter, ...recovery }, "job worker started");
    deps.onJobsStarted?.(jobs, intake, app.log);
    // A check run of ours is never left in progress: runs whose completion was lost are completed
    // after the deadline (IN_PROGRESS_DEADLINE_MINUTES). It stops when the queue's store closes.
    if (checkRuns) {
      startCheckRunSweeper({
        ledger: checkRuns,
        clock: jobs.queueClock ?? systemQueueClock,
        octokitFor: (installationId) => app.auth(installationId),
        log: app.log,
        deadlineMs: sweepDeadlineFromEnv(env, app.log),
      });
    }

    // Probot's server and createNodeMiddleware take extra HTTP routes; a bare Probot (as some
    // serverless hosts use) has none and throws, and then there is no /healthz to serve.
    try {
      options?.addHandler?.(healthzHandler);
      options?.addHandler?.(readyzHandler(() => jobs.ping()));
      options?.addHandler?.(metricsHandler(metrics, { ...(env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : {}), log: app.log }));
    } catch (error) {
      app.log.debug({ err: error }, "no HTTP server to add /healthz, /readyz and /metrics to");
    }
  };
}

/**
 * The job code, imported a part at a time with the event loop free between the parts: a module
 * graph is loaded and evaluated without a turn of the event loop, and /healthz and the webhooks
 * wait it out. Imported from tsc's build (dist/), the processor's graph at once held the event
 * loop 470-570 ms of CPU; in these parts (zod's schemas, the rules, the GitHub clients, the review
 * pipeline, the commands, then the processor and the replay) 140-180 ms at most, for the same total.
 */
async function importJobCode() {
  const parts = [
    () => import("./jobs/job-payloads.js"),
    () => import("./rules/index.js"),
    () => import("./github/pull-request-client.js"),
    () => import("./review/run-review.js"),
    () => import("./commands/run.js"),
  ];
  for (const part of parts) {
    await part();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Promise.all([import("./jobs/processor.js"), import("./replay/runner.js")]);
}

/** How long after start the job processor's modules are loaded, if no job has loaded them yet. */
const PROCESSOR_PRELOAD_DELAY_MS = 1_000;

/** A job processor whose module is imported when `load` or a job first needs it. */
export interface LazyJobProcessor extends JobProcessor {
  load(): Promise<JobProcessor>;
}

/**
 * A job processor whose module is imported on its first call; calls meanwhile wait for the same
 * import, and one that failed is tried again by the next call (the job fails and is retried).
 */
export function loadedOnFirstUse(load: () => Promise<JobProcessor>): LazyJobProcessor {
  let loading: Promise<JobProcessor> | undefined;
  const processor = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    load: processor,
    run: async (job, context) => (await processor()).run(job, context),
    superseded: async (job) => (await processor()).superseded(job),
    deadLetter: async (job, reason) => (await processor()).deadLetter(job, reason),
    retrying: async (job, reason, delayMs) => (await processor()).retrying?.(job, reason, delayMs),
  };
}

const dataEngineerApp: ApplicationFunction = createDataEngineerApp();
export default dataEngineerApp;
