import type { SourceText } from "../sql/source-text.js";
import type { AnalyzedStatement, Fix } from "./types.js";

/**
 * A down that drops a name the up never created, where the up created exactly one thing of that
 * kind with a close name, most likely means that one (the up adds `status`, the down drops
 * `state`). The fix writes the up's name in place of the down's, on that line only.
 */

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Whether `written` reads as a slip for `meant`: at most two characters apart, and fewer than half
 * of the longer name (`id` and `at` are two apart too, but they are not a typo of each other); or
 * one is the other cut short or extended, with at least three characters in common.
 */
export function closeName(written: string, meant: string): boolean {
  if (written === meant) return false;
  const distance = editDistance(written, meant);
  if (distance <= 2 && distance * 2 < Math.max(written.length, meant.length)) return true;
  const [shorter, longer] = written.length <= meant.length ? [written, meant] : [meant, written];
  return shorter.length >= 3 && longer.startsWith(shorter);
}

/** A plain lower-case SQL identifier, which needs no quotes. */
const PLAIN_NAME = /^[a-z_][a-z0-9_$]*$/;

/**
 * The fix that writes `meant` for the one unquoted mention of `written` in the statement, when
 * exactly one candidate is close to it; undefined when none or several are, when the statement
 * names it more than once or quoted, or carries a comment (whose text a line fix would rewrite blindly).
 */
export function misspeltNameFix(statement: AnalyzedStatement, source: SourceText, written: string, candidates: readonly string[]): Fix | undefined {
  const close = [...new Set(candidates)].filter((candidate) => closeName(written.toLowerCase(), candidate));
  const [meant] = close;
  if (close.length !== 1 || meant === undefined || !PLAIN_NAME.test(meant) || !PLAIN_NAME.test(written.toLowerCase())) return undefined;
  const text = source.text.slice(statement.start, statement.end);
  if (/--|\/\*/.test(text)) return undefined;
  const mentions = [...text.matchAll(new RegExp(`(?<![\\w$"])${written.replace(/\$/g, "\\$")}(?![\\w$"])`, "gi"))];
  const quoted = new RegExp(`"${written.replace(/\$/g, "\\$")}"`, "i").test(text);
  const [mention] = mentions;
  if (mentions.length !== 1 || mention?.index === undefined || quoted) return undefined;
  const offset = statement.start + mention.index;
  const { line } = source.position(offset);
  const lineStart = source.lineStart(line);
  const nextLine = source.lineStart(line + 1);
  const lineText = source.text.slice(lineStart, nextLine).replace(/\r?\n$/, "");
  const column = offset - lineStart;
  return {
    title: `Drop ${meant}, which the up migration created, instead of ${written}`,
    line,
    endLine: line,
    replacement: lineText.slice(0, column) + meant + lineText.slice(column + written.length),
  };
}
