import { resolve } from "node:path";
import type { Logger } from "pino";
import { createEmbeddedQueue } from "./embedded-queue.js";
import { DEFAULT_QUEUE_SETTINGS, type JobQueue, type QueueSettings } from "./queue.js";

/**
 * The job queue the server runs on: BullMQ over Redis when REDIS_URL is set (any number of
 * replicas), else the embedded SQLite store in DATA_DIR (one replica; `./data` by default).
 */

export const DEFAULT_DATA_DIR = "data";

const INTEGER_SETTINGS = {
  JOB_CONCURRENCY: { min: 1, max: 256 },
  JOB_CONCURRENCY_PER_INSTALLATION: { min: 1, max: 256 },
  JOB_MAX_ATTEMPTS: { min: 1, max: 50 },
  SHUTDOWN_GRACE_SECONDS: { min: 0, max: 3600 },
} as const;

type IntegerSetting = keyof typeof INTEGER_SETTINGS;

function integerSetting(env: NodeJS.ProcessEnv, name: IntegerSetting): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  const { min, max } = INTEGER_SETTINGS[name];
  return Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** Problems with the queue's environment variables, one sentence each (empty when fine). */
export function checkQueueEnv(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(INTEGER_SETTINGS) as IntegerSetting[]) {
    const raw = env[name]?.trim();
    if (raw !== undefined && raw !== "" && integerSetting(env, name) === undefined) {
      const { min, max } = INTEGER_SETTINGS[name];
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
  }
  const url = env.REDIS_URL?.trim();
  if (url) {
    try {
      const protocol = new URL(url).protocol;
      if (protocol !== "redis:" && protocol !== "rediss:") problems.push(`REDIS_URL must start with redis:// or rediss:// (got ${protocol})`);
    } catch {
      problems.push("REDIS_URL is not a URL (expected redis://[user:password@]host:port[/db])");
    }
  }
  return problems;
}

export function queueSettingsFromEnv(env: NodeJS.ProcessEnv): QueueSettings {
  return {
    ...DEFAULT_QUEUE_SETTINGS,
    concurrency: integerSetting(env, "JOB_CONCURRENCY") ?? DEFAULT_QUEUE_SETTINGS.concurrency,
    perInstallation: integerSetting(env, "JOB_CONCURRENCY_PER_INSTALLATION") ?? DEFAULT_QUEUE_SETTINGS.perInstallation,
    maxAttempts: integerSetting(env, "JOB_MAX_ATTEMPTS") ?? DEFAULT_QUEUE_SETTINGS.maxAttempts,
  };
}

/**
 * Seconds SIGTERM waits for running jobs before re-queueing them: 20 by default, so that with the
 * up to 5 s a queue gives aborted runs to settle and the up to 3 s the server then gives its HTTP
 * requests and check-run creations (server.ts) the process is gone within Kubernetes' 30 s.
 */
export function shutdownGraceMs(env: NodeJS.ProcessEnv): number {
  return (integerSetting(env, "SHUTDOWN_GRACE_SECONDS") ?? 20) * 1000;
}

export async function openJobQueue(env: NodeJS.ProcessEnv, log: Logger): Promise<JobQueue> {
  const settings = queueSettingsFromEnv(env);
  const url = env.REDIS_URL?.trim();
  if (url) {
    const { createBullmqQueue } = await import("./bullmq-queue.js");
    log.info({ adapter: "bullmq", concurrency: settings.concurrency }, "jobs run on Redis (BullMQ)");
    return createBullmqQueue({ url, settings, log });
  }
  const dataDir = resolve(env.DATA_DIR?.trim() || DEFAULT_DATA_DIR);
  log.info({ adapter: "embedded", dataDir, concurrency: settings.concurrency }, "jobs run on the embedded store");
  return createEmbeddedQueue({ dataDir, settings, log });
}
