/**
 * `/data-engineer …` in a pull request comment. Only the comment's first line can be a command;
 * its arguments are checked against an allow-list, and nothing in a comment reaches the
 * configuration or the tools: a command selects one of a fixed set of actions, with at most a rule
 * id or a question as its argument.
 */

import { MAX_QUESTION_CHARS } from "../agent/ask.js";
import { inlineCode } from "../report/markdown.js";

export const COMMAND_PREFIX = "/data-engineer";

export type Command =
  | { name: "review" }
  | { name: "full-review" }
  | { name: "ask"; question: string }
  | { name: "explain"; rule: string }
  | { name: "config" }
  | { name: "pause" }
  | { name: "resume" }
  | { name: "help" };

export type CommandName = Command["name"];

export const COMMAND_NAMES: readonly CommandName[] = ["review", "full-review", "ask", "explain", "config", "pause", "resume", "help"];

/** A comment that is a command: either one to run, or what is wrong with it (answered with help). */
export type ParsedCommand = { ok: true; command: Command } | { ok: false; problem: string };

const PREFIX = /^\/data-engineer(?=\s|$)/i;
/** What a rule id can look like; the id must still be a known rule's. */
const RULE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const isCommandName = (word: string): word is CommandName => (COMMAND_NAMES as readonly string[]).includes(word);

/** Shown back to the commenter (as a code span): short and on one line. */
function shown(word: string): string {
  const one = word.replace(/\s+/g, " ");
  return one.length <= 40 ? one : `${one.slice(0, 39)}…`;
}

/**
 * The command in a comment, or undefined when the comment is not one (its first line, trimmed,
 * does not start with `/data-engineer` followed by whitespace or its end; any case).
 */
export function parseCommand(body: string): ParsedCommand | undefined {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const first = (lines[0] ?? "").trim();
  const prefix = PREFIX.exec(first);
  if (!prefix) return undefined;
  const rest = first.slice(prefix[0].length).trim();
  const word = rest.split(/\s/, 1)[0] ?? "";
  const args = rest.slice(word.length).trim();
  const name = word.toLowerCase();

  if (name === "") return { ok: true, command: { name: "review" } };
  if (!isCommandName(name)) return { ok: false, problem: `${inlineCode(shown(word))} is not a command.` };

  switch (name) {
    case "ask": {
      const question = [args, ...lines.slice(1)].join("\n").trim();
      if (question === "") return { ok: false, problem: "`ask` needs a question: `/data-engineer ask <question>`." };
      // Refused rather than cut: the agent reads at most this much of a question.
      if (question.length > MAX_QUESTION_CHARS) {
        return {
          ok: false,
          problem: `the question is ${question.length.toLocaleString("en-US")} characters long; \`ask\` takes at most ${MAX_QUESTION_CHARS.toLocaleString("en-US")}.`,
        };
      }
      return { ok: true, command: { name, question } };
    }
    case "explain": {
      const words = args === "" ? [] : args.split(/\s+/);
      if (words.length !== 1) return { ok: false, problem: "`explain` takes one rule id: `/data-engineer explain <rule-id>`." };
      const rule = (words[0] ?? "").toLowerCase().replace(/^`|`$/g, "");
      if (!RULE_ID.test(rule)) return { ok: false, problem: `${inlineCode(shown(words[0] ?? ""))} is not a rule id (lower-case letters, digits and dashes).` };
      return { ok: true, command: { name, rule } };
    }
    default:
      if (args !== "") return { ok: false, problem: `\`${name}\` takes no arguments.` };
      return { ok: true, command: { name } };
  }
}
