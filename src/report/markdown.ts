import { groupedDigits } from "./grouped-digits.js";

/**
 * Markdown helpers for text that comes from a pull request (paths, SQL, messages), which an
 * author controls: it must render as the literal text and never as markup, mentions or HTML.
 */

/** Control characters (a path can hold a newline) shown as escapes, so one item stays one line. */
function visibleControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** `text` as an inline code span, whatever backticks it holds. */
export function inlineCode(text: string): string {
  const clean = visibleControls(text);
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") || clean === "" ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Characters counted the way GitHub's 65,535 limit counts them (UTF-16 code units). */
export function fitsIn(text: string, limit: number): boolean {
  return text.length <= limit;
}

/**
 * Joins lines until the budget would be exceeded, then ends with `more(n)` for the n lines
 * left out. The result never exceeds `budget` characters.
 */
export function joinWithinBudget(lines: readonly string[], budget: number, more: (omitted: number) => string): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const remaining = lines.length - i - 1;
    const reserve = remaining > 0 ? more(remaining).length + 1 : 0;
    if (used + line.length + 1 + reserve > budget) {
      const tail = more(lines.length - i);
      if (used + tail.length <= budget) out.push(tail);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join("\n");
}

/** "1 migration", "2,500 migrations": a count with its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${groupedDigits(n)} ${n === 1 ? one : many}`;
}
