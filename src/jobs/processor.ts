import type { Logger } from "pino";
import type { AgentRuntime } from "../agent/agent-review.js";
import { parseCommand } from "../commands/parse.js";
import { runCommand, type CommandDependencies } from "../commands/run.js";
import { CommandClient } from "../github/command-client.js";
import type { GitHubOctokit } from "../github/octokit.js";
import { PullRequestClient } from "../github/pull-request-client.js";
import { fetchPullRequest } from "../github/pull-request-facts.js";
import { QUEUED_RATE_LIMIT_WAIT_MS } from "../github/rate-limit.js";
import { metrics } from "../ops/metrics.js";
import { supersededByCommit } from "../report/check-output.js";
import type { ReplayRunner } from "../replay/verify.js";
import { reviewPullRequest } from "../review/run-review.js";
import { deadLetterReview } from "./dead-letter.js";
import { failureCause } from "./failure-cause.js";
import { GoneInstallations, installationGone } from "./gone-installations.js";
import { commandJobPayload, rereviewJobPayload, reviewJobPayload, type ReviewJobPayload } from "./job-payloads.js";
import { latestHeadKey, type LatestHeadStore } from "./latest-heads.js";
import { PermanentJobError, type Job, type JobProcessor, type JobRunContext } from "./queue.js";
import { isTransientFailure } from "./transient.js";

/**
 * Runs the app's jobs: reviews of pull request events, re-runs from the checks UI and
 * `/data-engineer` commands. A review that fails for a reason worth retrying throws, for the
 * queue to run it again later; on its last attempt, or for any other reason, it completes its
 * check run with the reason. A superseded or dead-lettered review completes its check run too:
 * no check of ours stays in progress.
 */

export interface ProcessorDependencies {
  /** An Octokit acting as the installation (Probot's `app.auth(id)`). */
  octokitFor(installationId: number | undefined): Promise<GitHubOctokit>;
  agent?: AgentRuntime;
  /** Replays migrations when the repository enables `replay`. */
  replay?: ReplayRunner;
  commands: CommandDependencies;
  log: Logger;
  /** The newest head announced per pull request: a review job posts nothing once another one was announced. */
  heads?: LatestHeadStore;
  /** Told how each run ended and how long it took, and of retries, supersessions and dead letters, for metrics. */
  observe?: JobObserver;
  /** Installations GitHub said are gone (the `installation.deleted` webhook fills it too): their jobs are dropped. */
  gone?: GoneInstallations;
}

export interface JobObserver {
  run(kind: string, outcome: "done" | "retry" | "dead" | "superseded" | "requeued", seconds: number): void;
  event(kind: string, event: "retry" | "superseded" | "dead"): void;
}

export function createJobProcessor(deps: ProcessorDependencies): JobProcessor {
  const gone = deps.gone ?? new GoneInstallations();
  /** Dead letters called before in this process (a retried one is counted once). */
  const deadSeen = new Set<string>();
  /** Whether the job's installation is gone (known, or learned from `error`): it is then dropped, logged once. */
  const dropIfGone = (job: Job, log: Logger, error?: unknown): boolean => {
    if (job.installationId === undefined) return false;
    if (error !== undefined && installationGone(error)) gone.add(job.installationId);
    if (!gone.has(job.installationId)) return false;
    metrics.jobDropped("installation_gone");
    log.warn({ decision: "dropped" }, "the app is no longer installed there (GitHub answered 404 for the installation): job dropped");
    return true;
  };
  const logFor = (job: Job) =>
    deps.log.child({
      deliveryId: job.id.split(":")[0],
      jobId: job.id,
      job: job.kind,
      attempt: job.attempts,
      ...(job.installationId ? { installationId: job.installationId } : {}),
      ...(typeof job.payload.pullNumber === "number" ? { pr: job.payload.pullNumber } : {}),
    });

  return {
    async run(job, context) {
      const log = logFor(job);
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        if (!dropIfGone(job, log)) await runJob(job, context, deps, log);
        deps.observe?.run(job.kind, "done", seconds());
      } catch (error) {
        if (!context.signal.aborted && dropIfGone(job, log, error)) {
          deps.observe?.run(job.kind, "done", seconds());
          return;
        }
        const aborted = context.signal.aborted;
        const why = (context.signal.reason as { why?: string } | undefined)?.why;
        const final = error instanceof PermanentJobError || lastRun(context);
        deps.observe?.run(job.kind, aborted ? (why === "shutdown" ? "requeued" : "superseded") : final ? "dead" : "retry", seconds());
        if (!aborted) {
          const cause = failureCause(error);
          if (!final) metrics.jobRetryCause(cause);
          log.warn({ err: error, cause, decision: final ? "dead letter" : "retried by the queue" }, "job attempt failed");
        }
        throw error;
      }
    },

    async superseded(job) {
      const log = logFor(job);
      log.info("superseded by a newer job for the same pull request");
      deps.observe?.event(job.kind, "superseded");
      if (job.kind !== "review" || dropIfGone(job, log)) return;
      const payload = reviewJobPayload.safeParse(job.payload);
      if (!payload.success || payload.data.checkRunId === undefined) return;
      try {
        const client = await reviewClient(job, payload.data, deps, log);
        await client.completeCheckRun(payload.data.checkRunId, supersededByCommit());
      } catch (error) {
        if (dropIfGone(job, log, error)) return;
        log.warn(
          { err: error, cause: failureCause(error), decision: isTransientFailure(error) ? "called again later" : "dropped" },
          "superseded check run not completed",
        );
        if (!isTransientFailure(error)) throw new PermanentJobError("the superseded job's check run cannot be completed", { cause: error });
        throw error;
      }
    },

    async deadLetter(job, reason) {
      const log = logFor(job);
      const first = !deadSeen.has(job.id);
      if (first) {
        deps.observe?.event(job.kind, "dead");
        log.error({ reason, attempts: job.attempts }, "job dead-lettered");
      }
      deadSeen.add(job.id);
      if (job.kind !== "review" || dropIfGone(job, log)) return;
      const payload = reviewJobPayload.safeParse(job.payload);
      if (!payload.success) return;
      try {
        const client = await reviewClient(job, payload.data, deps, log);
        await deadLetterReview({ job, reason, payload: payload.data, client, log, extras: { ...reviewExtras(job, deps), ...latestHeadOf(job, deps) }, first });
        deadSeen.delete(job.id);
      } catch (error) {
        if (dropIfGone(job, log, error)) return;
        throw error;
      }
    },

    retrying(job, reason, delayMs) {
      deps.observe?.event(job.kind, "retry");
      logFor(job).warn({ reason, delayMs }, "job will be tried again");
      return Promise.resolve();
    },
  };
}

async function reviewClient(job: Job, payload: ReviewJobPayload, deps: ProcessorDependencies, log: Logger): Promise<PullRequestClient> {
  const octokit = await deps.octokitFor(job.installationId);
  return new PullRequestClient(octokit, { owner: payload.owner, repo: payload.repo, pullNumber: payload.pullNumber, headSha: payload.headSha }, undefined, {
    log,
    // A long rate limit fails the run with GitHub's time; the queue runs the job again then.
    maxRateLimitWaitMs: QUEUED_RATE_LIMIT_WAIT_MS,
    ...(payload.ownLogin !== undefined ? { ownLogin: payload.ownLogin } : {}),
  });
}

/** The review's last look before posting: the head the pull request's newest event announced (no GitHub request). */
function latestHeadOf(job: Job, deps: ProcessorDependencies): { latestHead?: () => Promise<string | undefined> } {
  const { heads } = deps;
  if (!heads || job.coalesceKey === undefined) return {};
  const key = latestHeadKey(job.installationId, job.coalesceKey);
  return { latestHead: () => heads.latest(key) };
}

/** What every review of a job gets besides its pull request: the agent, the replay, its installation. */
function reviewExtras(job: Job, deps: ProcessorDependencies) {
  return {
    ...(deps.agent ? { agent: deps.agent } : {}),
    ...(deps.replay ? { replay: deps.replay } : {}),
    // Replay slots are shared fairly between installations.
    ...(job.installationId !== undefined ? { installationId: job.installationId } : {}),
  };
}

/** Whether a failure of this run is the job's last (the queue says so, or the attempts are spent). */
function lastRun(context: JobRunContext): boolean {
  return context.final ?? context.attempt >= context.maxAttempts;
}

function parsed<T>(job: Job, schema: { safeParse(data: unknown): { success: true; data: T } | { success: false; error: { message: string } } }): T {
  const result = schema.safeParse(job.payload);
  if (!result.success) throw new PermanentJobError(`job ${job.id} (${job.kind}) carries data this version cannot read: ${result.error.message}`);
  return result.data;
}

async function runJob(job: Job, context: JobRunContext, deps: ProcessorDependencies, log: Logger): Promise<void> {
  // Thrown to the queue: it retries, and after the last attempt dead-letters the job, which
  // completes the check run with the reason. A 404 to the installation's token is thrown too,
  // whatever the attempt: the app is uninstalled there, so no check run can be created or
  // completed (asking would only request the token again), and run() drops the job at once.
  const retryLater = (error: unknown) => isTransientFailure(error) || installationGone(error);
  const extras = reviewExtras(job, deps);
  switch (job.kind) {
    case "review": {
      const payload = parsed(job, reviewJobPayload);
      const client = await reviewClient(job, payload, deps, log);
      await reviewPullRequest({
        client,
        pr: payload.pr,
        log: log.child({ repo: `${payload.owner}/${payload.repo}`, headSha: payload.headSha }),
        // The check run is created once, completed, when the review is done (a job queued by an
        // earlier version carries the id of the run its handler created).
        ...(payload.checkRunId !== undefined ? { checkRunId: payload.checkRunId } : { checkRunOnce: true, readBackCheckRun: context.attempt > 1 }),
        signal: context.signal,
        retryLater,
        ...latestHeadOf(job, deps),
        ...extras,
      });
      return;
    }
    case "rereview": {
      const payload = parsed(job, rereviewJobPayload);
      const octokit = await deps.octokitFor(job.installationId);
      const prLog = log.child({ repo: `${payload.owner}/${payload.repo}` });
      const pr = await fetchPullRequest(octokit, payload.owner, payload.repo, payload.pullNumber);
      if (pr.state !== "open") {
        prLog.info({ merged: pr.merged }, "pull request is closed; not reviewed again");
        return;
      }
      if (pr.headSha !== payload.requestedSha) {
        prLog.info(
          { requestedSha: payload.requestedSha, headSha: pr.headSha },
          "re-run asked for an older commit; reviewing the pull request's current head instead",
        );
      }
      const client = new PullRequestClient(
        octokit,
        { owner: payload.owner, repo: payload.repo, pullNumber: payload.pullNumber, headSha: pr.headSha },
        undefined,
        { log, maxRateLimitWaitMs: QUEUED_RATE_LIMIT_WAIT_MS },
      );
      await reviewPullRequest({
        client,
        pr,
        log: prLog.child({ headSha: pr.headSha }),
        requested: {},
        // An earlier attempt (failed, or stopped with its process) may have left its check run in progress.
        adoptOpenCheckRun: context.attempt > 1,
        signal: context.signal,
        // The last attempt completes its own check run with the reason: the dead letter knows none.
        retryLater: (error) => installationGone(error) || (!lastRun(context) && retryLater(error)),
        ...extras,
      });
      return;
    }
    case "command": {
      const payload = parsed(job, commandJobPayload);
      const command = parseCommand(payload.body);
      if (!command) return;
      const octokit = await deps.octokitFor(job.installationId);
      const client = new CommandClient(octokit, { owner: payload.owner, repo: payload.repo, pullNumber: payload.pullNumber });
      await runCommand(
        {
          client,
          comment: payload.comment,
          login: payload.login,
          parsed: command,
          ...(payload.thread ? { thread: payload.thread } : {}),
          ...(payload.conversationUrl ? { conversationUrl: payload.conversationUrl } : {}),
          log: log.child({ repo: `${payload.owner}/${payload.repo}` }),
        },
        deps.commands,
      );
      return;
    }
    default:
      throw new PermanentJobError(`unknown job kind "${job.kind}"`);
  }
}
