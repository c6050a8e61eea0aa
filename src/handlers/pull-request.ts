import { recordCheckRuns, type CheckRunRecorder } from "../github/check-run-ledger.js";
import type { Context, Probot } from "probot";
import type { GitHubOctokit } from "../github/octokit.js";
import { PullRequestClient } from "../github/pull-request-client.js";
import { QUEUED_RATE_LIMIT_WAIT_MS } from "../github/rate-limit.js";
import { pullRequestKey, type ReviewJobPayload } from "../jobs/job-payloads.js";
import type { Intake, JobSink } from "../jobs/job-sink.js";
import { announcedAt, latestHeadKey, type LatestHeadStore } from "../jobs/latest-heads.js";
import { CHECK_NAME, IN_PROGRESS_OUTPUT, supersededByCommit } from "../report/check-output.js";
import { encodeCheckIdentity } from "../review/check-identity.js";

/** The pull request events that get a check run: every new head commit, and a draft turning ready. */
export const PULL_REQUEST_EVENTS = ["pull_request.opened", "pull_request.reopened", "pull_request.synchronize", "pull_request.ready_for_review"] as const;

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

/**
 * How long a new review job waits for the handler to create its check run. If the process dies in
 * between, the job runs when the hold ends (the embedded store ends every hold at start) and
 * creates the check run itself.
 */
export const CHECK_RUN_HOLD_MS = 10 * 60_000;

/**
 * How long the webhook's answer waits for the check run to be created. Probot spaces an
 * installation's writes a second apart (GitHub's secondary rate limits), so in a burst the creation
 * can queue; it then finishes after the answer and releases the job itself.
 */
export const CHECK_RUN_ANSWER_WAIT_MS = 250;

export interface PullRequestJobs {
  jobs: JobSink;
  intake: Intake;
  /** Where the newest head of each pull request is recorded, for the review's last look before posting. */
  heads?: LatestHeadStore;
  /**
   * The installation's Octokit (Probot's `app.auth(id)`). Not the event's `context.octokit`: that
   * one carries no throttling id, so Probot would space the writes of every installation through
   * one shared slot a second apart, and a burst of pull requests would queue behind each other.
   * Its requests carry the delivery id (`x-github-delivery`), as the event's Octokit's do.
   */
  octokitFor(installationId: number, deliveryId: string): Promise<GitHubOctokit>;
  /** Where the check runs the handler creates are recorded for the in-progress sweeper. */
  checkRuns?: CheckRunRecorder;
}

/**
 * Answers a pull request event at once: the review job is written to the queue first (so nothing
 * is lost if the process dies now), then the check run is created on the head commit (so the pull
 * request shows it in progress), then the job is released to the worker with the check run's id.
 * A redelivered event (same delivery id) is recognised and does nothing.
 */
export async function handlePullRequest(context: PullRequestContext, deps: PullRequestJobs): Promise<void> {
  deps.intake.assertOpen();
  const { pull_request: pr, repository } = context.payload;
  const log = context.log.child({
    deliveryId: context.id,
    repo: repository.full_name,
    pr: pr.number,
    headSha: pr.head.sha,
  });
  log.debug({ action: context.payload.action }, "pull request event");
  const payload: ReviewJobPayload = {
    owner: repository.owner.login,
    repo: repository.name,
    pullNumber: pr.number,
    headSha: pr.head.sha,
    pr: {
      draft: pr.draft === true,
      author: pr.user?.login ?? "",
      labels: (pr.labels ?? []).map((label) => label.name),
      baseRef: pr.base.ref,
      changedFiles: pr.changed_files ?? 0,
      title: pr.title,
      body: pr.body ?? "",
    },
  };
  const coalesceKey = pullRequestKey(repository.id, pr.number);
  // Before the job exists: once it does, the older job's review may look, and must see this head.
  await deps.heads?.record(latestHeadKey(context.payload.installation?.id, coalesceKey), pr.head.sha, announcedAt(pr.updated_at, Date.now()));
  const { enqueued } = await deps.jobs.enqueue({
    id: context.id,
    kind: "review",
    ...(context.payload.installation ? { installationId: context.payload.installation.id } : {}),
    coalesceKey,
    payload,
    holdMs: CHECK_RUN_HOLD_MS,
  });
  if (!enqueued) {
    log.info("delivery seen before (a redelivery); its review is queued or done already");
    return;
  }
  const installationId = context.payload.installation?.id;
  const creation = (async () => {
    let checkRunId: number | undefined;
    let client: PullRequestClient | undefined;
    try {
      const octokit = installationId !== undefined ? await deps.octokitFor(installationId, context.id) : context.octokit;
      client = new PullRequestClient(octokit, { owner: payload.owner, repo: payload.repo, pullNumber: pr.number, headSha: pr.head.sha }, undefined, {
        log,
        // Over a long rate limit the job creates the check run, when the queue runs it at GitHub's time.
        maxRateLimitWaitMs: QUEUED_RATE_LIMIT_WAIT_MS,
      });
      checkRunId = await client.startCheckRun(CHECK_NAME, encodeCheckIdentity({ pullNumber: pr.number, headSha: pr.head.sha }), IN_PROGRESS_OUTPUT);
    } catch (error) {
      log.warn({ err: error }, "could not create the check run now; the review job creates it");
    }
    const ownLogin = client?.ownLogin;
    const state = await deps.jobs.release(context.id, {
      ...(checkRunId !== undefined ? { checkRunId } : {}),
      ...(checkRunId !== undefined && ownLogin !== undefined ? { ownLogin } : {}),
    });
    if (state === "queued" || checkRunId === undefined || !client) {
      log.info({ checkRunId }, "review queued");
      return;
    }
    // A newer push replaced the job while its check run was being created (or the job ran without
    // it): nobody else knows this check run, so it is completed here rather than left in progress.
    log.info({ checkRunId, state }, "review replaced before it was queued; its check run is completed as superseded");
    await client
      .completeCheckRun(checkRunId, supersededByCommit())
      .catch((error: unknown) => log.error({ err: error, checkRunId }, "could not complete the replaced review's check run"));
  })();
  deps.intake.track(creation);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([creation, new Promise((resolve) => (timer = setTimeout(resolve, CHECK_RUN_ANSWER_WAIT_MS)))]);
  clearTimeout(timer);
}

export function registerPullRequestHandler(app: Probot, deps: Omit<PullRequestJobs, "octokitFor">): void {
  const octokitFor = async (installationId: number, deliveryId: string) => {
    const octokit = await app.auth(installationId);
    octokit.hook.before("request", (options) => {
      options.headers["x-github-delivery"] = deliveryId;
    });
    if (deps.checkRuns) recordCheckRuns(octokit, installationId, deps.checkRuns);
    return octokit;
  };
  app.on([...PULL_REQUEST_EVENTS], (context) => handlePullRequest(context, { ...deps, octokitFor }));
}
