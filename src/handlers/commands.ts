import type { Probot } from "probot";
import type { CommandJobs } from "./queue-command.js";

/**
 * `/data-engineer` commands: new comments on a pull request's conversation and in its line
 * threads are queued as jobs (the worker checks permissions, rate limits and runs them). Edits
 * and deletions are not listened to, so editing a comment never runs it again.
 *
 * The handlers' modules are imported on the first comment: telling a command needs the commands'
 * parser, which names the agent's limits, and with them the agent and the commands' runner would
 * load before the server's /readyz (issue 20).
 */
export function registerCommandHandlers(app: Probot, deps: CommandJobs): void {
  app.on("issue_comment.created", async (context) => (await import("./issue-comment.js")).handleIssueComment(context, deps));
  app.on("pull_request_review_comment.created", async (context) => (await import("./review-comment.js")).handleReviewComment(context, deps));
}
