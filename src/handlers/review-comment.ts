import type { Context } from "probot";
import { parseCommand } from "../commands/parse.js";
import { isBotAccount } from "../commands/run.js";
import type { CommandJobPayload } from "../jobs/job-payloads.js";
import { queueCommand, type CommandJobs } from "./queue-command.js";

/**
 * A new comment in a line's review thread whose first line is `/data-engineer …`, queued as a
 * command job: `ask` is answered in the thread, about that line; other commands are pointed to
 * the conversation.
 */
export async function handleReviewComment(context: Context<"pull_request_review_comment.created">, deps: CommandJobs): Promise<void> {
  const { pull_request: pr, comment, repository, sender } = context.payload;
  if (!parseCommand(comment.body)) return;
  const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: pr.number });
  if (isBotAccount(sender) || isBotAccount(comment.user)) {
    log.debug({ sender: sender.login }, "command from an app ignored");
    return;
  }
  const line = comment.line ?? comment.original_line ?? undefined;
  const payload: CommandJobPayload = {
    owner: repository.owner.login,
    repo: repository.name,
    pullNumber: pr.number,
    body: comment.body,
    login: comment.user?.login ?? sender.login,
    comment: { kind: "review", id: comment.id, ...(comment.in_reply_to_id !== undefined ? { inReplyTo: comment.in_reply_to_id } : {}) },
    thread: { path: comment.path, ...(line !== undefined && line !== null ? { line } : {}), hunk: comment.diff_hunk },
    conversationUrl: pr.html_url,
  };
  await queueCommand(deps, { id: context.id, installationId: context.payload.installation?.id }, payload, log);
}
