import { existsSync } from "node:fs";
import { run, ProbotOctokit, type Server } from "probot";
import type { Logger } from "pino";
import { createDataEngineerApp } from "./app.js";
import { checkServerEnv } from "./server-env.js";
import { EnvironmentError, errorMessage } from "./errors.js";
import type { Intake } from "./jobs/job-sink.js";
import { shutdownGraceMs } from "./jobs/open-queue.js";
import type { JobQueue, StopReport } from "./jobs/queue.js";
import { withSpacedWrites } from "./github/write-spacing.js";
import { octokitMetricsPlugin } from "./ops/octokit-metrics.js";
import { limitWebhookBodies } from "./ops/webhook-body-limit.js";
import { useAnalysisPool } from "./review/analyse.js";

export interface StartServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests pass an Octokit with retries and throttling off. */
  Octokit?: typeof ProbotOctokit;
  /** Stop gracefully on SIGTERM and SIGINT (the process entry point; tests leave it off). */
  handleSignals?: boolean;
}

/** The running server: Probot's, and the job queue it works through. */
export interface DataEngineerServer {
  readonly probot: Server;
  readonly jobs: JobQueue;
  /**
   * Lets running jobs finish within the grace period (SHUTDOWN_GRACE_SECONDS, 20 by default) while
   * still storing webhooks, puts the rest back in the queue, stops taking webhooks, and closes the
   * queue (see `shutdown`).
   */
  stop(graceMs?: number): Promise<StopReport>;
}

/**
 * Starts the webhook server: Probot's, with its environment (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET,
 * HOST, PORT, GHE_HOST, GHE_PROTOCOL, LOG_LEVEL, …), `/healthz`, `/readyz`, `/metrics`, and the
 * job worker (REDIS_URL, DATA_DIR, JOB_* settings). Refuses to start with a message naming every
 * missing setting, instead of falling into Probot's interactive setup.
 */
export async function startServer(options: StartServerOptions = {}): Promise<DataEngineerServer> {
  const env = options.env ?? process.env;
  if (env === process.env && existsSync(".env")) process.loadEnvFile(".env");
  const problems = checkServerEnv(env);
  if (problems.length > 0) {
    throw new EnvironmentError(`data-engineer cannot start:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` + "See the Configuration section of the README.");
  }
  let started: { jobs: JobQueue; intake: Intake; log: Logger } | undefined;
  // Writes are spaced per installation by src/github/write-spacing.ts, GraphQL reads not at all.
  const Octokit = withSpacedWrites((options.Octokit ?? ProbotOctokit).plugin(octokitMetricsPlugin));
  // Oversized webhook bodies are refused before Probot reads them (src/ops/webhook-body-limit.ts).
  const listening: { server?: Server } = {};
  const bodyLimit = limitWebhookBodies({
    path: env.WEBHOOK_PATH?.trim() || "/api/github/webhooks",
    isOurs: (http) => {
      const address = http.address();
      return typeof address === "object" && address !== null && address.port === (listening.server?.port ?? Number(env.PORT ?? 3000));
    },
  });
  const app = createDataEngineerApp({ env, onJobsStarted: (jobs, intake, log) => (started = { jobs, intake, log }) });
  let probot: Server;
  try {
    probot = await run(
      async (probotApp, appOptions) => {
        appOptions?.addHandler?.(bodyLimit.handler);
        await app(probotApp, appOptions);
      },
      { env: probotEnvironment(env), Octokit },
    );
  } catch (error) {
    bodyLimit.close();
    throw error;
  }
  listening.server = probot;
  if (!started) throw new Error("the job worker did not start");
  const { jobs, intake, log } = started;
  let stopping: Promise<StopReport> | undefined;
  const server: DataEngineerServer = {
    probot,
    jobs,
    stop: (graceMs = shutdownGraceMs(env)) => (stopping ??= shutdown({ probot, jobs, intake, log, graceMs }).finally(() => bodyLimit.close())),
  };
  if (options.handleSignals) {
    // Probot stops its HTTP server and exits at once on SIGINT; ours waits for running jobs.
    process.removeAllListeners("SIGINT");
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        log.info({ signal }, "stopping: running jobs get the grace period; webhooks are still stored until the queue closes");
        server.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            log.error({ err: error }, "could not stop cleanly");
            process.exit(1);
          },
        );
      });
    }
  }
  return server;
}

/**
 * The environment Probot is given: ours without REDIS_URL. REDIS_URL is the job queue's; Probot
 * would also read it and move its request throttling onto Redis (Bottleneck's clustering), whose
 * per-installation keys expire after two idle minutes and then fail every request of that
 * installation with "ERR SETTINGS_KEY_NOT_FOUND". Each process keeps its own throttling instead.
 */
export function probotEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest.REDIS_URL;
  return rest;
}

/** How long the HTTP server may take to finish the webhooks it is answering once it stops listening. */
const HTTP_CLOSE_MS = 1_000;

/** What shutdown needs of Probot's server. */
export interface StoppableHttp {
  stop(): Promise<void>;
}

/**
 * Stops in the order that loses no webhook: the queue first (running jobs get the grace period,
 * then go back to the queue without counting an attempt), while webhooks are still taken and
 * stored, since refusing one answers GitHub 500 and GitHub does not redeliver by itself; a job
 * stored now runs at the next start, or at once on another replica on Redis. Only then does the
 * HTTP server stop listening, finishing the webhooks it is answering; one after that finds the
 * port closed, a gap of the process's last seconds that a second replica covers (or a redelivery
 * from the app's settings). Then the store closes.
 */
export async function shutdown(parts: { probot: StoppableHttp; jobs: JobQueue; intake: Intake; log: Logger; graceMs: number }): Promise<StopReport> {
  const { probot, jobs, intake, log, graceMs } = parts;
  const report = await jobs.stop(graceMs);
  await within(
    probot.stop().catch((error: unknown) => log.warn({ err: errorMessage(error) }, "HTTP server did not close cleanly")),
    HTTP_CLOSE_MS,
  );
  intake.close("the server is shutting down");
  await jobs.close();
  await useAnalysisPool(undefined);
  log.info({ ...report, graceMs }, "stopped");
  return report;
}

async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Probot's registration flow for a new GitHub App: serves a page that sends app.yml (from the
 * working directory) to GitHub as a manifest; GitHub creates the app and hands back its ID, key
 * and webhook secret, which Probot writes to .env. For a developer's machine, not production.
 */
export async function startRegistration(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Server> {
  const env = { ...(options.env ?? process.env) };
  if (env.NODE_ENV === "production") {
    throw new EnvironmentError("npm run register creates a GitHub App from your machine; unset NODE_ENV=production to use it.");
  }
  for (const key of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH"]) delete env[key];
  return run(createDataEngineerApp({ env, agent: "off" }), { env });
}
