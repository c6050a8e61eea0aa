import type { Probot } from "probot";
import { handleIssueComment } from "./issue-comment.js";
import type { CommandJobs } from "./queue-command.js";
import { handleReviewComment } from "./review-comment.js";

/**
 * `/data-engineer` commands: new comments on a pull request's conversation and in its line
 * threads are queued as jobs (the worker checks permissions, rate limits and runs them). Edits
 * and deletions are not listened to, so editing a comment never runs it again.
 */
export function registerCommandHandlers(app: Probot, deps: CommandJobs): void {
  app.on("issue_comment.created", (context) => handleIssueComment(context, deps));
  app.on("pull_request_review_comment.created", (context) => handleReviewComment(context, deps));
}
