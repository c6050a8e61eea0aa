import type { Context, Probot } from "probot";
import type { ReviewJobPayload } from "../jobs/job-payloads.js";
import type { Intake, JobSink } from "../jobs/job-sink.js";
import { announcedAt, latestHeadKey, type LatestHeadStore } from "../jobs/latest-heads.js";

/** The pull request events that get a check run: every new head commit, and a draft turning ready. */
export const PULL_REQUEST_EVENTS = ["pull_request.opened", "pull_request.reopened", "pull_request.synchronize", "pull_request.ready_for_review"] as const;

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

export interface PullRequestJobs {
  jobs: JobSink;
  intake: Intake;
  /** Where the newest head of each pull request is recorded, for the review's last look before posting. */
  heads?: LatestHeadStore;
}

/**
 * Answers a pull request event at once: the review job is written to the queue (so nothing is lost
 * if the process dies now) and runs when a worker takes it. No check run is created here: the job
 * creates it once, completed with its result (issue 19 item 5). Creating it in progress here and
 * completing it later made two of the three writes a review cost, and Probot spaces an
 * installation's writes a second apart, so one installation got ~15 reviews a minute. A job that
 * dies still ends with a completed check run: its dead letter creates one with the reason.
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
  // The payloads' module holds their zod schemas: imported on the first webhook, not before /readyz (issue 20).
  const { pullRequestKey } = await import("../jobs/job-payloads.js");
  const coalesceKey = pullRequestKey(repository.id, pr.number);
  // Before the job exists: once it does, the older job's review may look, and must see this head.
  await deps.heads?.record(latestHeadKey(context.payload.installation?.id, coalesceKey), pr.head.sha, announcedAt(pr.updated_at, Date.now()));
  const { enqueued } = await deps.jobs.enqueue({
    id: context.id,
    kind: "review",
    ...(context.payload.installation ? { installationId: context.payload.installation.id } : {}),
    coalesceKey,
    payload,
  });
  if (!enqueued) {
    log.info("delivery seen before (a redelivery); its review is queued or done already");
    return;
  }
  log.info("review queued");
}

export function registerPullRequestHandler(app: Probot, deps: PullRequestJobs): void {
  app.on([...PULL_REQUEST_EVENTS], (context) => handlePullRequest(context, deps));
}
