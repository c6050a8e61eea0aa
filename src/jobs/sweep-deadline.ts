import type { Logger } from "pino";
import { DEFAULT_SWEEP_DEADLINE_MS } from "./check-run-sweeper.js";

/**
 * IN_PROGRESS_DEADLINE_MINUTES: how long a check run of ours may stay in progress, with no live job
 * of its repository, before the sweeper completes it (45 by default). Below the queue's retry
 * budget (30 minutes) the sweeper would close runs a retried job is about to complete; it still
 * defers to live jobs, so a short deadline is allowed, but a value that is no number is not.
 */
export function sweepDeadlineFromEnv(env: NodeJS.ProcessEnv, log: Logger): number {
  const raw = env.IN_PROGRESS_DEADLINE_MINUTES?.trim();
  if (!raw) return DEFAULT_SWEEP_DEADLINE_MS;
  const minutes = Number(raw);
  if (Number.isFinite(minutes) && minutes > 0) return minutes * 60_000;
  log.warn({ IN_PROGRESS_DEADLINE_MINUTES: raw }, "IN_PROGRESS_DEADLINE_MINUTES is not a positive number of minutes; the default (45) is used");
  return DEFAULT_SWEEP_DEADLINE_MS;
}
