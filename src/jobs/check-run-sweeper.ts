import type { Logger } from "pino";
import { completeOrphanCheckRun } from "../github/check-run-ledger.js";
import type { GitHubOctokit } from "../github/octokit.js";
import { metrics } from "../ops/metrics.js";
import { reviewFailed } from "../report/check-output.js";
import { installationGone } from "./gone-installations.js";
import type { OpenCheckRunLedger } from "./open-check-runs.js";
import type { QueueClock } from "./queue-clock.js";

/**
 * Issue 19: a check run of ours is never left `in_progress`. Every job completes its own run, and
 * the dead letters are retried for a day (hook-retry.ts), but a completion can still be lost: one
 * that failed and was only logged (a superseded review's run), a dead letter given up, a process
 * killed for good. GitHub would then show the run in progress for ever (it has no timeout for
 * check runs created by apps). The sweeper reads the ledger of our runs (open-check-runs.ts) every
 * SWEEP_EVERY_MS on the queue's clock and completes each run older than the deadline that no
 * queued or running job of its repository can still complete.
 */

/** How often the ledger is read: cheap (one SQLite query); GitHub is asked only about orphans. */
export const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * A run still open after this long is an orphan, unless a job of its repository is live. The
 * queue's retry budget (30 minutes) plus a review's longest run fits within it.
 */
export const DEFAULT_SWEEP_DEADLINE_MS = 45 * 60_000;

/** Runs looked at per sweep: a backlog is taken over several sweeps instead of in one burst of writes. */
const SWEEP_LIMIT = 50;

export interface CheckRunSweeperOptions {
  ledger: OpenCheckRunLedger;
  clock: QueueClock;
  octokitFor: (installationId: number) => Promise<GitHubOctokit>;
  log: Logger;
  deadlineMs?: number;
  everyMs?: number;
}

/** What one sweep did. */
export interface SweepReport {
  completed: number;
  alreadyCompleted: number;
  deferred: number;
  failed: number;
}

/** The reason the swept run shows, with the re-run hint every failed review gives. */
function orphanReason(deadlineMs: number): string {
  return `the review did not report back within ${Math.round(deadlineMs / 60_000)} minutes (its completion was lost), so this check was closed by the app's in-progress sweeper`;
}

export async function sweepOrphanCheckRuns(options: CheckRunSweeperOptions): Promise<SweepReport> {
  const { ledger, clock, log } = options;
  const deadlineMs = options.deadlineMs ?? DEFAULT_SWEEP_DEADLINE_MS;
  const report: SweepReport = { completed: 0, alreadyCompleted: 0, deferred: 0, failed: 0 };
  if (!ledger.active) return report;
  for (const run of ledger.olderThan(clock.now() - deadlineMs, SWEEP_LIMIT)) {
    if (!ledger.active) break;
    const where = { installationId: run.installationId, repo: `${run.owner}/${run.repo}`, checkRunId: run.checkRunId };
    if (ledger.hasLiveJob(run)) {
      // Its job (or a newer one of the repository) is queued or running: it completes or adopts the run.
      report.deferred += 1;
      continue;
    }
    try {
      const octokit = await options.octokitFor(run.installationId);
      const outcome = await completeOrphanCheckRun(octokit, run, reviewFailed(orphanReason(deadlineMs)), new Date(clock.now()));
      if (ledger.active) ledger.closed(run.checkRunId);
      if (outcome === "completed") {
        report.completed += 1;
        metrics.orphanSwept("completed");
        log.warn({ ...where, openedAt: new Date(run.openedAt).toISOString(), decision: "completed as failed" }, "check run left in progress swept");
      } else {
        report.alreadyCompleted += 1;
        log.info({ ...where, decision: "already completed on GitHub; forgotten" }, "check run left in progress swept");
      }
    } catch (error) {
      if (installationGone(error) && ledger.active) {
        // Uninstalled: no token can be had, now or later, and GitHub removed the app's check runs with it.
        ledger.closed(run.checkRunId);
        report.failed += 1;
        log.info({ ...where, decision: "installation gone; forgotten" }, "check run left in progress not swept");
        continue;
      }
      // Kept in the ledger: the next sweep tries again (GitHub down, a rate limit).
      report.failed += 1;
      log.warn({ ...where, err: error, decision: "kept; tried again at the next sweep" }, "could not sweep a check run left in progress");
    }
  }
  return report;
}

/**
 * Sweeps every `everyMs` while the ledger holds runs, until `stop` is called or the ledger's store
 * is closed. No timer is set while no run is open (an idle server, a test's virtual clock that
 * jumps to every timer); recording a run arms it.
 */
export function startCheckRunSweeper(options: CheckRunSweeperOptions): { stop: () => void } {
  const { ledger } = options;
  let cancel: (() => void) | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped || cancel !== undefined || !ledger.active || ledger.size() === 0) return;
    cancel = options.clock.setTimer(() => {
      sweepOrphanCheckRuns(options)
        .catch((error: unknown) => options.log.error({ err: error }, "the in-progress sweep failed"))
        .finally(() => {
          cancel = undefined;
          arm();
        });
    }, options.everyMs ?? SWEEP_EVERY_MS);
  };
  ledger.onOpened(arm);
  arm();
  return {
    stop: () => {
      stopped = true;
      cancel?.();
    },
  };
}
