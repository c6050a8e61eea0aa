import { PAUSED_LABEL } from "../review/auto-review.js";
import { plainText } from "../report/inline-comments.js";
import { inlineCode } from "../report/markdown.js";
import type { MinPermission, Role } from "../config/permission.js";

/**
 * The text of every reply to a command. Replies carry a hidden marker, so that they can be told
 * apart from people's comments, and name the commenter from the login GitHub sent: never a
 * mention built from what a comment says.
 */

export const REPLY_MARKER = "<!-- data-engineer:reply -->";

/** GitHub logins: letters, digits and single dashes; apps end in `[bot]`. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

/** `@login` for a real login; anything else as inert text. */
export function addressee(login: string): string {
  return LOGIN.test(login) ? `@${login}` : plainText(login);
}

/** A reply's body: the marker, then the text addressed to the commenter. */
export function reply(login: string, text: string): string {
  return `${REPLY_MARKER}\n${addressee(login)} ${text}`;
}

export const HELP_TEXT = [
  "Commands, on the first line of a pull request comment:",
  "",
  "| Command | What it does |",
  "| --- | --- |",
  "| `/data-engineer review` (or just `/data-engineer`) | Reviews the head commit again; findings already posted are not posted again |",
  "| `/data-engineer full-review` | Reviews the head commit and posts every finding, also those posted before |",
  "| `/data-engineer ask <question>` | The data-engineer agent answers a question about this pull request (the question may go on over the next lines; in a line's thread, it sees that line) |",
  "| `/data-engineer explain <rule-id>` | The rule's documentation: what it checks, why, and what to write instead |",
  "| `/data-engineer config` | The configuration in effect and where each value comes from |",
  `| \`/data-engineer pause\` | Stops automatic reviews of this pull request (adds the label \`${PAUSED_LABEL}\`) |`,
  "| `/data-engineer resume` | Resumes them |",
  "| `/data-engineer help` | This list |",
].join("\n");

export function helpReply(login: string, problem?: string): string {
  return reply(login, `${problem ? `${problem}\n\n` : ""}${HELP_TEXT}`);
}

/** `command` is undefined when the comment was not a valid command. */
export function refusedReply(login: string, command: string | undefined, min: MinPermission, role: Role): string {
  return reply(
    login,
    `${command === undefined ? "`/data-engineer` commands need" : `${inlineCode(`/data-engineer ${command}`)} needs`} at least **${min}** permission on this repository (\`commands.minPermission\`); you have ${role === "none" ? "no role on it" : `**${role}**`}. Nothing was done.`,
  );
}

export function permissionUnknownReply(login: string, reason: string): string {
  return reply(login, `your permission on this repository could not be checked, so the command was not run: ${plainText(reason)}. Try again later.`);
}

export function rateLimitedReply(login: string, limit: number, retryAt: Date): string {
  return reply(
    login,
    `this pull request has had ${limit} data-engineer ${limit === 1 ? "command" : "commands"} in the last hour (\`commands.maxPerHour\`), so this one was not run. Try again after ${retryAt.toISOString().replace(/\.\d{3}Z$/, "Z")} (UTC).`,
  );
}

export function failedReply(login: string, command: string, reason: string): string {
  return reply(login, `${inlineCode(`/data-engineer ${command}`)} failed: ${plainText(reason)}`);
}
