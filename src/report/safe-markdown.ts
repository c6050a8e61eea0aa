import type { Node, Parser } from "commonmark";
import { redactSecrets } from "./redact.js";

/**
 * Model-written Markdown made safe to post while keeping its formatting. The text is parsed with
 * a CommonMark parser and written out again from the tree, keeping only paragraphs, headings,
 * lists, code blocks, code spans, emphasis, strong emphasis and https links; everything else
 * becomes plain text (HTML is shown escaped, an image becomes its alt text). Escaping a string
 * with patterns cannot know where the parser will see a code span (`` \` ``, runs of backticks):
 * writing from the tree can, since each piece of text is escaped as text. @mentions cannot notify,
 * no HTML comment (the app's hidden markers) can be formed, not even inside code, and
 * secret-looking strings are redacted.
 */

export const SAFE_MARKDOWN_LIMIT = 60_000;

const ZERO_WIDTH_SPACE = "\u200b";

let MarkdownParser: typeof Parser | undefined;

/**
 * Loads the CommonMark parser; safeMarkdown needs it done first. It is loaded by the step that
 * makes the text (the agent's answer), not when the server starts: only `/data-engineer ask`
 * replies use it (issue 20, /readyz within 0.5 s).
 */
export async function loadSafeMarkdown(): Promise<void> {
  MarkdownParser ??= (await import("commonmark")).Parser;
}

export function safeMarkdown(text: string): string {
  if (!MarkdownParser) throw new Error("safeMarkdown called before loadSafeMarkdown(): the CommonMark parser is loaded on first use");
  const tree = new MarkdownParser().parse(redactSecrets(text).replace(/\r\n?/g, "\n"));
  const joined = blocks(tree, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return joined.length <= SAFE_MARKDOWN_LIMIT
    ? joined
    : `${joined.slice(0, SAFE_MARKDOWN_LIMIT)}\n\n_… cut at ${SAFE_MARKDOWN_LIMIT.toLocaleString("en-US")} characters._`;
}

/** The children of a container, one block after another, each line after the first indented. */
function blocks(parent: Node, indent: string): string {
  const out: string[] = [];
  for (let child = parent.firstChild; child; child = child.next) {
    const written = block(child, indent);
    if (written !== "") out.push(written);
  }
  const separator = parent.type === "list" && parent.listTight ? "\n" : "\n\n";
  return out
    .join(parent.type === "item" && parent.parent?.listTight ? "\n" : separator)
    .split("\n")
    .join(`\n${indent}`)
    .replace(new RegExp(`\n${indent}(?=\n)`, "g"), "\n");
}

function block(node: Node, indent: string): string {
  switch (node.type) {
    case "paragraph":
      return inlines(node);
    case "heading":
      return `${"#".repeat(Math.min(Math.max(node.level, 1), 6))} ${inlines(node)}`;
    case "code_block":
      return codeBlock(node.literal ?? "", node.info ?? "");
    case "list":
      return listItems(node, indent);
    case "html_block":
      return escapeText(node.literal ?? "").replace(/\n+$/, "");
    // A quote, a rule, anything newer: its content as plain blocks.
    default:
      return blocks(node, "");
  }
}

function listItems(list: Node, _indent: string): string {
  const items: string[] = [];
  let number = list.listStart ?? 1;
  for (let item = list.firstChild; item; item = item.next) {
    const marker = list.listType === "ordered" ? `${number++}.` : "-";
    const pad = " ".repeat(marker.length + 1);
    items.push(`${marker} ${blocks(item, pad)}`);
  }
  return items.join(list.listTight ? "\n" : "\n\n");
}

function codeBlock(literal: string, info: string): string {
  const body = neutraliseComments(literal).replace(/\n$/, "");
  const longest = Math.max(2, ...[...body.matchAll(/^ {0,3}(`+)/gm)].map((m) => m[1]?.length ?? 0));
  const fence = "`".repeat(longest + 1);
  const language = /^[\w+#.-]+$/.test(info.split(/\s/)[0] ?? "") ? (info.split(/\s/)[0] ?? "") : "";
  return `${fence}${language}\n${body}\n${fence}`;
}

function inlines(parent: Node): string {
  let out = "";
  for (let child = parent.firstChild; child; child = child.next) out += inline(child, out.length === 0 || out.endsWith("\n"));
  return out;
}

function inline(node: Node, lineStart: boolean): string {
  switch (node.type) {
    case "text":
      return escapeText(node.literal ?? "", lineStart);
    case "softbreak":
      return "\n";
    case "linebreak":
      return "\\\n";
    case "code":
      return codeSpan(node.literal ?? "");
    case "emph":
      return `*${inlines(node)}*`;
    case "strong":
      return `**${inlines(node)}**`;
    case "link": {
      const label = inlines(node);
      const url = node.destination ?? "";
      return /^https:\/\/[^\s<>()]+$/i.test(url) ? `[${label}](${url})` : label;
    }
    case "html_inline":
      return escapeText(node.literal ?? "", lineStart);
    // An image shows its alt text; anything else, its text.
    default:
      return inlines(node);
  }
}

/** A code span fenced by a run of backticks longer than any inside it. */
function codeSpan(literal: string): string {
  const content = neutraliseComments(literal).replace(/\n/g, " ");
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = content.startsWith("`") || content.endsWith("`") || (content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "") ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/**
 * Text that reads as text: every character that could open Markdown or HTML syntax escaped,
 * mentions broken with a zero-width space, a line's start that could open a block escaped.
 */
function escapeText(text: string, lineStart = false): string {
  let escaped = text
    .replace(/[\\`*_[\]~|]/g, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@(?=[A-Za-z0-9])/g, "@&#8203;");
  escaped = escaped.replace(/(^|\n)([ \t]*)(\d{1,9})([.)])/g, "$1$2$3\\$4").replace(/(^|\n)([ \t]*)([-+=#])/g, "$1$2\\$3");
  if (!lineStart) escaped = escaped.replace(/^\\([-+=#])/, "$1").replace(/^(\d{1,9})\\([.)])/, "$1$2");
  return escaped;
}

/** Raw text posted as code is still raw text to a reader of the comment's source: no `<!--` in it. */
function neutraliseComments(text: string): string {
  return text.replace(/<!--/g, `<!-${ZERO_WIDTH_SPACE}-`);
}
