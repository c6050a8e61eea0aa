import type { Context } from "probot";
import { parseCommand } from "../commands/parse.js";
import { isBotAccount, runCommand, type CommandDependencies } from "../commands/run.js";
import { CommandClient } from "../github/command-client.js";

/**
 * A new comment on a pull request's conversation whose first line is `/data-engineer …`.
 * Comments on issues, edits and deletions are not commands; neither is anything an app writes.
 */
export async function handleIssueComment(context: Context<"issue_comment.created">, deps: CommandDependencies): Promise<void> {
  const { issue, comment, repository, sender } = context.payload;
  if (!issue.pull_request) return;
  const parsed = parseCommand(comment.body);
  if (!parsed) return;
  const log = context.log.child({ deliveryId: context.id, repo: repository.full_name, pr: issue.number });
  if (isBotAccount(sender) || isBotAccount(comment.user)) {
    log.debug({ sender: sender.login }, "command from an app ignored");
    return;
  }
  const client = new CommandClient(context.octokit, { owner: repository.owner.login, repo: repository.name, pullNumber: issue.number });
  await runCommand({ client, comment: { kind: "issue", id: comment.id }, login: comment.user?.login ?? sender.login, parsed, log }, deps);
}
