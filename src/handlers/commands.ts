import type { Probot } from "probot";
import type { AgentRuntime } from "../agent/agent-review.js";
import { CommandRateLimiter } from "../commands/rate-limit.js";
import type { CommandDependencies } from "../commands/run.js";
import { handleIssueComment } from "./issue-comment.js";
import { handleReviewComment } from "./review-comment.js";

export interface CommandHandlerDependencies {
  /** Commands per pull request per hour; one per app by default (in memory, see rate-limit.ts). */
  limiter?: CommandRateLimiter;
}

/**
 * `/data-engineer` commands: new comments on a pull request's conversation and in its line
 * threads. Edits and deletions are not listened to, so editing a comment never runs it again.
 */
export function registerCommandHandlers(app: Probot, agent?: AgentRuntime, deps: CommandHandlerDependencies = {}): void {
  const shared: CommandDependencies = { limiter: deps.limiter ?? new CommandRateLimiter(), ...(agent ? { agent } : {}) };
  app.on("issue_comment.created", (context) => handleIssueComment(context, shared));
  app.on("pull_request_review_comment.created", (context) => handleReviewComment(context, shared));
}
