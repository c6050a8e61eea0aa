import type { Logger } from "pino";
import type { AgentRuntime } from "../agent/agent-review.js";
import { answerQuestion, renderAnswerReply } from "../agent/ask.js";
import { workspaceFromGitHub } from "../agent/workspace/sources.js";
import { errorMessage } from "../errors.js";
import type { CommandClient, CommandComment } from "../github/command-client.js";
import type { LoadedRepoConfig } from "../github/repo-config.js";
import { reviewFailed } from "../report/check-output.js";
import { plainText } from "../report/inline-comments.js";
import { inlineCode } from "../report/markdown.js";
import { PAUSED_LABEL } from "../review/auto-review.js";
import { reviewPullRequest } from "../review/run-review.js";
import { renderConfigReport } from "./config-report.js";
import { explainRule } from "./explain.js";
import type { Command, ParsedCommand } from "./parse.js";
import { effectiveRole, LOWEST_MIN_PERMISSION, meetsPermission, type MinPermission, type Role } from "../config/permission.js";
import type { CommandRateLimiter } from "./rate-limit.js";
import { failedReply, helpReply, permissionUnknownReply, rateLimitedReply, refusedReply, reply } from "./replies.js";
import type { ReplayRunner } from "../replay/verify.js";

/**
 * Runs one `/data-engineer` command. The gate, in order: the commenter's permission (failing
 * closed), the configuration (it says who may run commands and how often), the pull request's rate
 * limit; then 👀 on the comment and the command. Every outcome that does nothing says why in a
 * reply (a permission refusal only once an hour per commenter and pull request), and nothing
 * thrown leaves this function.
 */

/** A GitHub account that is an app (this one included): its comments are never commands. */
export function isBotAccount(account: { login: string; type?: string } | null | undefined): boolean {
  return account?.type === "Bot" || (account?.login.endsWith("[bot]") ?? false);
}

export interface CommandDependencies {
  /** The data-engineer agent, when the server has a Gemini key. */
  agent?: AgentRuntime;
  limiter: CommandRateLimiter;
  /** Replays migrations when the repository enables `replay`. */
  replay?: ReplayRunner;
}

/** A question asked in a line's review thread: the line it sits on. */
export interface ThreadContext {
  path: string;
  line?: number;
  hunk?: string;
}

export interface CommandRequest {
  client: CommandClient;
  comment: CommandComment;
  /** The commenter's login, as GitHub sent it. */
  login: string;
  parsed: ParsedCommand;
  /** Set for a review comment: only `ask` works there. */
  thread?: ThreadContext;
  /** The pull request's conversation, to point to from a thread. */
  conversationUrl?: string;
  log: Logger;
}

const commandText = (parsed: ParsedCommand): string => (parsed.ok ? parsed.command.name : "help");

export async function runCommand(request: CommandRequest, deps: CommandDependencies): Promise<void> {
  const { client, log, login } = request;
  const name = commandText(request.parsed);
  try {
    const loaded = await gate(request, deps);
    if (!loaded) return;
    await dispatch(request, deps, loaded);
  } catch (error) {
    log.error({ err: error, command: name }, "command failed");
    try {
      await client.reply(request.comment, failedReply(login, name, errorMessage(error)));
    } catch (replyError) {
      log.error({ err: replyError, command: name }, "could not reply with the failure");
    }
  }
}

/**
 * The configuration when the command may run; undefined when it was refused (with a reply). The
 * commenter's role is looked up before the configuration is read: whoever is below the lowest
 * `commands.minPermission` any configuration can set is refused without the file being fetched
 * or parsed, so an outsider's comment costs one API call, not a parse of the repository's file.
 */
async function gate(request: CommandRequest, deps: CommandDependencies): Promise<LoadedRepoConfig | undefined> {
  const { client, log, login } = request;
  const name = commandText(request.parsed);
  let role: Role;
  try {
    role = effectiveRole(await client.permissionOf(login));
  } catch (error) {
    log.warn({ err: error, command: name, commenter: login }, "permission lookup failed; command refused");
    await client.reply(request.comment, permissionUnknownReply(login, errorMessage(error)));
    return undefined;
  }
  if (!meetsPermission(role, LOWEST_MIN_PERMISSION)) {
    await refuse(request, deps, role, LOWEST_MIN_PERMISSION);
    return undefined;
  }

  let loaded: LoadedRepoConfig;
  try {
    loaded = await client.repoConfig();
  } catch (error) {
    // Who may run commands is configured there: without it, nothing runs.
    log.warn({ err: error, command: name }, "configuration did not load; command refused");
    await client.reply(request.comment, failedReply(login, name, `the configuration could not be read, so no command can run: ${errorMessage(error)}`));
    return undefined;
  }
  const settings = loaded.config.commands;
  if (!meetsPermission(role, settings.minPermission)) {
    await refuse(request, deps, role, settings.minPermission);
    return undefined;
  }

  const { owner, repo, pullNumber } = client.target;
  const decision = deps.limiter.take(`${owner}/${repo}#${pullNumber}`, settings.maxPerHour);
  if (!decision.allowed) {
    log.info({ command: name, commenter: login, retryAt: decision.retryAt.toISOString() }, "command refused: rate limit");
    await client.reply(request.comment, rateLimitedReply(login, settings.maxPerHour, decision.retryAt));
    return undefined;
  }
  log.info({ command: name, commenter: login, role }, "command accepted");
  return loaded;
}

/**
 * Says why a command was refused for its permission, at most once per commenter and pull request
 * in the limiter's window: an outsider's thirty comments get one reply, not thirty.
 */
async function refuse(request: CommandRequest, deps: CommandDependencies, role: Role, minPermission: MinPermission): Promise<void> {
  const { client, log, login } = request;
  const name = commandText(request.parsed);
  const { owner, repo, pullNumber } = client.target;
  const answered = !deps.limiter.takeRefusal(`${owner}/${repo}#${pullNumber}@${login.toLowerCase()}`);
  log.info({ command: name, commenter: login, role, minPermission, answered }, "command refused: permission");
  if (answered) return;
  await client.reply(request.comment, refusedReply(login, request.parsed.ok ? name : undefined, minPermission, role));
}

async function dispatch(request: CommandRequest, deps: CommandDependencies, loaded: LoadedRepoConfig): Promise<void> {
  const { client, log, login } = request;
  const answer = (text: string) => client.reply(request.comment, reply(login, text));
  if (!request.parsed.ok) {
    await client.reply(request.comment, helpReply(login, request.parsed.problem));
    return;
  }
  const command = request.parsed.command;
  if (request.thread && command.name !== "ask") {
    const where = request.conversationUrl?.startsWith("https://")
      ? `[the pull request's conversation](${request.conversationUrl})`
      : "the pull request's conversation";
    await answer(
      `only ${inlineCode("/data-engineer ask")} works in a line's thread. Write ${inlineCode(`/data-engineer ${command.name}`)} in ${where} instead.`,
    );
    return;
  }
  try {
    await client.acknowledge(request.comment);
  } catch (error) {
    // The reaction only says "seen": the command runs without it.
    log.warn({ err: error, command: command.name }, "could not react to the command");
  }
  await execute(command, request, deps, loaded);
}

async function execute(command: Command, request: CommandRequest, deps: CommandDependencies, loaded: LoadedRepoConfig): Promise<void> {
  const { client, log, login } = request;
  const answer = (text: string) => client.reply(request.comment, reply(login, text));
  switch (command.name) {
    case "help":
      await client.reply(request.comment, helpReply(login));
      return;
    case "explain":
      await answer((await explainRule(command.rule, loaded.config)).markdown);
      return;
    case "config":
      await answer(renderConfigReport(loaded));
      return;
    case "pause":
      await client.addLabel(PAUSED_LABEL);
      log.info({ label: PAUSED_LABEL }, "automatic reviews paused");
      await answer(
        `automatic reviews of this pull request are paused (label \`${PAUSED_LABEL}\`): new commits get a skipped check. ` +
          "`/data-engineer resume` resumes them; `/data-engineer review` still reviews when asked.",
      );
      return;
    case "resume": {
      const removed = await client.removeLabel(PAUSED_LABEL);
      log.info({ label: PAUSED_LABEL, removed }, "automatic reviews resumed");
      await answer(
        removed
          ? "automatic reviews of this pull request are resumed: the next push is reviewed. `/data-engineer review` reviews the head now."
          : `automatic reviews of this pull request were not paused (it has no label \`${PAUSED_LABEL}\`); nothing changed.`,
      );
      return;
    }
    case "review":
    case "full-review":
      await review(command.name === "full-review", request, deps);
      return;
    case "ask":
      await ask(command.question, request, deps, loaded);
      return;
  }
}

const FAILED_TITLE = reviewFailed("").output.title;

async function review(fullReview: boolean, request: CommandRequest, deps: CommandDependencies): Promise<void> {
  const { client, log, login } = request;
  const name = fullReview ? "full-review" : "review";
  const pr = await client.pullRequest();
  if (pr.state === "closed") {
    await client.reply(
      request.comment,
      reply(login, `this pull request is ${pr.merged ? "merged" : "closed"}, so it is not reviewed again. Reopen it to have it reviewed.`),
    );
    return;
  }
  const reviewLog = log.child({ headSha: pr.headSha, command: name });
  const result = await reviewPullRequest({
    client: client.reviewClient(pr.headSha),
    pr,
    log: reviewLog,
    ...(deps.agent ? { agent: deps.agent } : {}),
    ...(deps.replay ? { replay: deps.replay } : {}),
    requested: { fullReview },
  });
  if (result.conclusion === "failure" && result.output.title === FAILED_TITLE) {
    // The check run says why too; the reply makes sure the one who asked sees it.
    const reason = /\*\*Reason:\*\* ([^\n]+)/.exec(result.output.summary)?.[1] ?? "the data-engineer check run says why";
    await client.reply(request.comment, failedReply(login, name, reason));
  }
}

async function ask(question: string, request: CommandRequest, deps: CommandDependencies, loaded: LoadedRepoConfig): Promise<void> {
  const { client, log, login } = request;
  if (!deps.agent) {
    await client.reply(
      request.comment,
      reply(login, "the data-engineer agent is not configured on this installation (the server has no Gemini credentials), so it cannot answer questions."),
    );
    return;
  }
  if (!loaded.config.agent.enabled) {
    await client.reply(
      request.comment,
      reply(
        login,
        "the data-engineer agent is turned off for this repository (`agent.enabled: false` in .github/data-engineer.yml), so it cannot answer questions.",
      ),
    );
    return;
  }
  const pr = await client.pullRequest();
  const reviewClient = client.reviewClient(pr.headSha);
  const changed = await reviewClient.listChangedFiles();
  const askLog = log.child({ headSha: pr.headSha, command: "ask" });
  const outcome = await answerQuestion({
    runtime: deps.agent,
    config: loaded.config.agent,
    question,
    pr: { number: client.target.pullNumber, title: pr.title, body: pr.body, author: pr.author, baseRef: pr.baseRef, headSha: pr.headSha },
    ...(request.thread ? { context: request.thread } : {}),
    changedFiles: changed.map((file) => file.path),
    openWorkspace: () => workspaceFromGitHub(reviewClient),
    log: askLog,
  });
  askLog.info({ reason: outcome.reason, turns: outcome.turns, tokens: outcome.usage.total, answered: outcome.answer !== undefined }, "question answered");
  const quoted = request.thread ? "" : `> ${plainText(firstLine(question))}\n\n`;
  await client.reply(request.comment, reply(login, `\n\n${quoted}${renderAnswerReply(outcome)}`));
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length <= 200 && !text.includes("\n") ? line : `${line.slice(0, 200)}…`;
}
