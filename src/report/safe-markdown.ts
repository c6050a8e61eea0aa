import { redactSecrets } from "./redact.js";

/**
 * Model-written Markdown made safe to post while keeping its formatting: code blocks and code
 * spans stay as written (GitHub renders nothing inside them); everywhere else HTML is escaped,
 * @mentions cannot notify, images become their alt text, and secret-looking strings are redacted.
 */

export const SAFE_MARKDOWN_LIMIT = 60_000;

function escapeProse(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/!\[/g, "!\\[")
    .replace(/@(?=[A-Za-z0-9])/g, "@&#8203;");
}

/** Prose with its inline code spans kept verbatim. */
function escapeLine(line: string): string {
  const out: string[] = [];
  let last = 0;
  for (const match of line.matchAll(/(`+)[^`]+?\1(?!`)/g)) {
    out.push(escapeProse(line.slice(last, match.index)), match[0]);
    last = match.index + match[0].length;
  }
  out.push(escapeProse(line.slice(last)));
  return out.join("");
}

export function safeMarkdown(text: string): string {
  const lines = redactSecrets(text).replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      out.push(line);
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      out.push(line);
      continue;
    }
    out.push(escapeLine(line));
  }
  if (fence !== undefined) out.push(fence);
  const joined = out.join("\n");
  return joined.length <= SAFE_MARKDOWN_LIMIT ? joined : `${joined.slice(0, SAFE_MARKDOWN_LIMIT)}\n\n_… cut at ${SAFE_MARKDOWN_LIMIT.toLocaleString("en-US")} characters._`;
}
