import type { Logger } from "pino";
import type { AgentRuntime } from "../agent/agent-review.js";
import { parseCommand } from "../commands/parse.js";
import { runCommand, type CommandDependencies } from "../commands/run.js";
import { CommandClient } from "../github/command-client.js";
import type { GitHubOctokit } from "../github/octokit.js";
import { PullRequestClient } from "../github/pull-request-client.js";
import { fetchPullRequest } from "../github/pull-request-facts.js";
import { QUEUED_RATE_LIMIT_WAIT_MS } from "../github/rate-limit.js";
import { CHECK_NAME, IN_PROGRESS_OUTPUT, reviewFailed, supersededByCommit } from "../report/check-output.js";
import { encodeCheckIdentity } from "../review/check-identity.js";
import type { ReplayRunner } from "../replay/verify.js";
import { reviewPullRequest } from "../review/run-review.js";
import { commandJobPayload, rereviewJobPayload, reviewJobPayload, type ReviewJobPayload } from "./job-payloads.js";
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
  /** Told how each run ended and how long it took, and of retries, supersessions and dead letters, for metrics. */
  observe?: JobObserver;
}

export interface JobObserver {
  run(kind: string, outcome: "done" | "retry" | "dead" | "superseded" | "requeued", seconds: number): void;
  event(kind: string, event: "retry" | "superseded" | "dead"): void;
}

export function createJobProcessor(deps: ProcessorDependencies): JobProcessor {
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
        await runJob(job, context, deps, log);
        deps.observe?.run(job.kind, "done", seconds());
      } catch (error) {
        const aborted = context.signal.aborted;
        const why = (context.signal.reason as { why?: string } | undefined)?.why;
        const final = error instanceof PermanentJobError || lastRun(context);
        deps.observe?.run(job.kind, aborted ? (why === "shutdown" ? "requeued" : "superseded") : final ? "dead" : "retry", seconds());
        if (!aborted) log.warn({ err: error }, "job attempt failed");
        throw error;
      }
    },

    async superseded(job) {
      const log = logFor(job);
      log.info("superseded by a newer job for the same pull request");
      deps.observe?.event(job.kind, "superseded");
      if (job.kind !== "review") return;
      const payload = reviewJobPayload.safeParse(job.payload);
      if (!payload.success || payload.data.checkRunId === undefined) return;
      const client = await reviewClient(job, payload.data, deps, log);
      await client.completeCheckRun(payload.data.checkRunId, supersededByCommit());
    },

    async deadLetter(job, reason) {
      const log = logFor(job);
      deps.observe?.event(job.kind, "dead");
      log.error({ reason, attempts: job.attempts }, "job dead-lettered");
      if (job.kind !== "review") return;
      const payload = reviewJobPayload.safeParse(job.payload);
      if (!payload.success) return;
      const client = await reviewClient(job, payload.data, deps, log);
      const checkRunId =
        payload.data.checkRunId ??
        (await client.startCheckRun(
          CHECK_NAME,
          encodeCheckIdentity({ pullNumber: payload.data.pullNumber, headSha: payload.data.headSha }),
          IN_PROGRESS_OUTPUT,
        ));
      const attempts = job.attempts === 1 ? "" : ` (gave up after ${job.attempts} attempts)`;
      await client.completeCheckRun(checkRunId, reviewFailed(`${reason}${attempts}`));
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
  // completes the check run with the reason.
  const retryLater = (error: unknown) => isTransientFailure(error);
  const extras = {
    ...(deps.agent ? { agent: deps.agent } : {}),
    ...(deps.replay ? { replay: deps.replay } : {}),
    // Replay slots are shared fairly between installations.
    ...(job.installationId !== undefined ? { installationId: job.installationId } : {}),
  };
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
        ...(payload.checkRunId !== undefined ? { checkRunId: payload.checkRunId } : { checkRunOnce: true }),
        signal: context.signal,
        retryLater,
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
        retryLater: (error) => !lastRun(context) && retryLater(error),
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
