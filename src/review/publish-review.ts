import type { Logger } from "pino";
import type { PullRequestClient } from "../github/pull-request-client.js";
import { metrics } from "../ops/metrics.js";
import { supersededByCommit, type CheckResult } from "../report/check-output.js";
import type { CheckAnnotation } from "../report/check-verdict.js";
import type { BuiltReview } from "./compose.js";

/**
 * Posts a pull request's review, once: nothing for a commit that is no longer the head (its
 * review would be stale on arrival; a newer event reviews the newer commit, and this review's
 * findings must not count as posted there), nothing when there is nothing new to say. GitHub
 * rejecting the inline comments moves them into the body (the client's fallback). Gives the check
 * run's verdict and annotations.
 *
 * `latestHead` is the last look at the head, made just before the POST: the app's record of the
 * newest head its webhooks announced, shared by the replicas (src/jobs/latest-heads.ts), so the
 * look costs no GitHub request; undefined when none is recorded, and then the review is posted.
 * Without it (the Action, commands) GitHub's pull request is read. A newer push that comes after
 * this look still cancels the POST while it waits for its turn (src/github/job-signal.ts).
 */
export async function publishReview(
  client: PullRequestClient,
  review: BuiltReview,
  log: Logger,
  latestHead: () => Promise<string | undefined> = () => client.currentHeadSha(),
): Promise<{ result: CheckResult; annotations: CheckAnnotation[][] }> {
  const head = await latestHead();
  if (head !== undefined && head !== client.pr.headSha) {
    log.info({ head }, "head moved while reviewing; nothing posted");
    return { result: supersededByCommit(head), annotations: [] };
  }
  const { check: result, annotations } = review;
  if (review.comments.length === 0 && client.headReviewedBefore) {
    // A rerun of the job that posted it (killed before the check run was completed): the review
    // of this commit is there already, recognised by its body's sealed marker.
    metrics.duplicateAvoided("review_rerun");
    log.info({ decision: "not posted again" }, "a review of this app on this commit is posted already");
    return { result, annotations };
  }
  if (!review.worthPosting) {
    log.info({ findings: review.findings.length }, "nothing new to post");
    return { result, annotations };
  }
  const posting = await client.postReview({
    event: review.event,
    body: review.body,
    comments: review.comments.map((c) => ({ path: c.path, line: c.line, ...(c.startLine !== undefined ? { startLine: c.startLine } : {}), body: c.body })),
    bodyIfRejected: review.bodyWithComments,
  });
  log.info({ reviewId: posting.id, inline: review.comments.length, commentsInBody: posting.commentsInBody, resolved: review.resolved }, "review posted");
  return { result, annotations };
}
