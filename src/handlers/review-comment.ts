import type { Context } from "probot";
import { parseCommand } from "../commands/parse.js";
import { isBotAccount, runCommand, type CommandDependencies } from "../commands/run.js";
import { CommandClient } from "../github/command-client.js";

/**
 * A new comment in a line's review thread whose first line is `/data-engineer …`: `ask` is
 * answered in the thread, about that line; other commands are pointed to the conversation.
 */
export async function handleReviewComment(context: Context<"pull_request_review_comment.created">, deps: CommandDependencies): Promise<void> {
  const { pull_request: pr, comment, repository, sender } = context.payload;
  const parsed = parseCommand(comment.body);
  if (!parsed) return;
  const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: pr.number });
  if (isBotAccount(sender) || isBotAccount(comment.user)) {
    log.debug({ sender: sender.login }, "command from an app ignored");
    return;
  }
  const client = new CommandClient(context.octokit, { owner: repository.owner.login, repo: repository.name, pullNumber: pr.number });
  const line = comment.line ?? comment.original_line ?? undefined;
  await runCommand(
    {
      client,
      comment: { kind: "review", id: comment.id, ...(comment.in_reply_to_id !== undefined ? { inReplyTo: comment.in_reply_to_id } : {}) },
      login: comment.user?.login ?? sender.login,
      parsed,
      thread: { path: comment.path, ...(line !== undefined ? { line } : {}), hunk: comment.diff_hunk },
      conversationUrl: pr.html_url,
      log,
    },
    deps,
  );
}
