import type { Logger } from "pino";
import type { PullRequestClient } from "../github/pull-request-client.js";
import { metrics } from "../ops/metrics.js";
import { CHECK_NAME, reviewFailed } from "../report/check-output.js";
import { encodeCheckIdentity } from "../review/check-identity.js";
import { reviewPullRequest, type PullRequestReviewInput } from "../review/run-review.js";
import { failureCause } from "./failure-cause.js";
import { installationGone } from "./gone-installations.js";
import type { ReviewJobPayload } from "./job-payloads.js";
import { PermanentJobError, type Job } from "./queue.js";
import { isTransientFailure } from "./transient.js";

/**
 * A review job's dead letter. Its runs failed for the whole retry budget; when that was GitHub
 * failing (an outage, a long rate limit), the review was never posted. So the dead letter runs the
 * review once more: GitHub still failing throws, and the queue calls the dead letter again on a
 * schedule (hook-retry.ts) until GitHub answers; then the review is posted and its check run
 * completed, without a restart. Any other failure completes the check run with its reason (the
 * review's own rule) or, when even that cannot be done for good, drops the dead letter.
 *
 * Not for a job that stopped its process on every run (an out-of-memory review): running it in the
 * hook would stop the process again. Its check run is completed with the reason.
 */

/** The reason both queues give a job that was running whenever its process stopped. */
const CRASHED_EVERY_RUN = /^the job was running when its process stopped/;

export interface DeadLetterReview {
  job: Job;
  reason: string;
  payload: ReviewJobPayload;
  client: PullRequestClient;
  log: Logger;
  /** The review's extras (agent, replay, installation), as a run gets them. */
  extras: Pick<PullRequestReviewInput, "agent" | "replay" | "installationId" | "latestHead">;
  /** The first call in this process: a failure then completes the check run with the reason while GitHub keeps failing. */
  first: boolean;
}

export async function deadLetterReview({ job, reason, payload, client, log, extras, first }: DeadLetterReview): Promise<void> {
  const externalId = encodeCheckIdentity({ pullNumber: payload.pullNumber, headSha: payload.headSha });
  // Ours for this head whatever its status: an earlier call may have completed it with the failure.
  const ownCheckRun = async () => payload.checkRunId ?? (await client.findCheckRun(CHECK_NAME, externalId));
  try {
    if (CRASHED_EVERY_RUN.test(reason)) {
      await completeWithFailure(client, payload.checkRunId, externalId, job, reason);
      metrics.deadLetterCall("completed");
      log.warn({ reason, decision: "check run completed with the failure" }, "dead letter settled");
      return;
    }
    const checkRunId = await ownCheckRun();
    const result = await reviewPullRequest({
      client,
      pr: payload.pr,
      log: log.child({ repo: `${payload.owner}/${payload.repo}`, headSha: payload.headSha }),
      // Without a check run yet, the review creates it once, completed (issue 19 item 5).
      ...(checkRunId !== undefined ? { checkRunId } : { checkRunOnce: true }),
      // GitHub still failing: thrown, and the queue calls this dead letter again later. The app
      // uninstalled there: thrown as it is, for the processor to drop the dead letter.
      retryLater: (error) => isTransientFailure(error) || installationGone(error),
      ...extras,
    });
    metrics.deadLetterCall("reviewed");
    log.info({ reason, conclusion: result.conclusion, decision: "reviewed once more; check run completed" }, "dead letter settled");
  } catch (error) {
    // No token can be had: nothing to complete; the processor drops the job (gone-installations.ts).
    if (installationGone(error)) throw error;
    if (isTransientFailure(error)) {
      // Until GitHub answers, the pull request shows why (when GitHub takes this much); the next
      // call reports on the same check run.
      if (first) {
        await ownCheckRun()
          .then((id) => completeWithFailure(client, id, externalId, job, reason))
          .catch((completion: unknown) => log.warn({ err: completion }, "could not complete the check run with the failure either"));
      }
      metrics.deadLetterCall("retry_scheduled");
      log.warn({ err: error, reason, cause: failureCause(error), decision: "GitHub still failing: called again later" }, "dead letter not settled yet");
      throw error;
    }
    metrics.deadLetterCall("dropped");
    log.error({ err: error, reason, cause: failureCause(error), decision: "dropped: another call would fail the same way" }, "dead letter failed");
    throw new PermanentJobError(`the dead letter of ${job.id} failed for good`, { cause: error });
  }
}

/** Completes the job's check run with the failure, or, when none exists, creates it completed in one write. */
async function completeWithFailure(client: PullRequestClient, checkRunId: number | undefined, externalId: string, job: Job, reason: string): Promise<void> {
  const attempts = job.attempts === 1 ? "" : ` (gave up after ${job.attempts} attempts)`;
  const result = reviewFailed(`${reason}${attempts}`);
  if (checkRunId === undefined) await client.reportCheckRun(CHECK_NAME, externalId, result);
  else await client.completeCheckRun(checkRunId, result);
}
