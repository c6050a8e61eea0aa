import type { Context } from "probot";
import { parseCommand } from "../commands/parse.js";
import { isBotAccount } from "../commands/run.js";
import type { CommandJobPayload } from "../jobs/job-payloads.js";
import { queueCommand, type CommandJobs } from "./queue-command.js";

/**
 * A new comment on a pull request's conversation whose first line is `/data-engineer …`, queued
 * as a command job. Comments on issues, edits and deletions are not commands; neither is anything
 * an app writes.
 */
export async function handleIssueComment(context: Context<"issue_comment.created">, deps: CommandJobs): Promise<void> {
  const { issue, comment, repository, sender } = context.payload;
  if (!issue.pull_request) return;
  if (!parseCommand(comment.body)) return;
  const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: issue.number });
  if (isBotAccount(sender) || isBotAccount(comment.user)) {
    log.debug({ sender: sender.login }, "command from an app ignored");
    return;
  }
  const payload: CommandJobPayload = {
    owner: repository.owner.login,
    repo: repository.name,
    pullNumber: issue.number,
    body: comment.body,
    login: comment.user?.login ?? sender.login,
    comment: { kind: "issue", id: comment.id },
  };
  await queueCommand(deps, { id: context.id, installationId: context.payload.installation?.id }, payload, log);
}
