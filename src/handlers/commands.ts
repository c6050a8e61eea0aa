import type { Logger } from "pino";
import type { Probot } from "probot";
import type { CommandJobPayload } from "../jobs/job-payloads.js";
import type { Intake, JobSink } from "../jobs/job-sink.js";
import { handleIssueComment } from "./issue-comment.js";
import { handleReviewComment } from "./review-comment.js";

export interface CommandJobs {
  jobs: JobSink;
  intake: Intake;
}

/** Queues a command for the worker (which checks permissions and rate limits, then runs it). */
export async function queueCommand(
  deps: CommandJobs,
  delivery: { id: string; installationId: number | undefined },
  payload: CommandJobPayload,
  log: Logger,
): Promise<void> {
  deps.intake.assertOpen();
  const { enqueued } = await deps.jobs.enqueue({
    id: delivery.id,
    kind: "command",
    ...(delivery.installationId !== undefined ? { installationId: delivery.installationId } : {}),
    payload,
  });
  log.info({ commentId: payload.comment.id }, enqueued ? "command queued" : "delivery seen before; command not queued again");
}

/**
 * `/data-engineer` commands: new comments on a pull request's conversation and in its line
 * threads are queued as jobs (the worker checks permissions, rate limits and runs them). Edits
 * and deletions are not listened to, so editing a comment never runs it again.
 */
export function registerCommandHandlers(app: Probot, deps: CommandJobs): void {
  app.on("issue_comment.created", (context) => handleIssueComment(context, deps));
  app.on("pull_request_review_comment.created", (context) => handleReviewComment(context, deps));
}
