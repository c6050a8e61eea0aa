import type { RE2JS } from "re2js";
import type { Re2 } from "./re2.js";

/**
 * The regular expressions of grep_search, with ripgrep's syntax (RE2: `(?i)`, `\b`, POSIX classes
 * such as `[[:alpha:]]`, no backreferences or lookaround) on a linear-time engine: no pattern the
 * model writes can backtrack for ever, so matching needs no sandbox, only a deadline for the
 * sheer amount of text.
 */

export class InvalidRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidRegexError";
  }
}

export interface LineRegexOptions {
  /** The pattern is a literal string, not a regular expression (ripgrep's --fixed-strings). */
  fixedStrings: boolean;
  caseSensitive: boolean;
}

export interface LineRegex {
  test(line: string): boolean;
}

/** `re2`: the engine, from `await loadRe2()` (re2.ts). */
export function compileLineRegex(re2: Re2, pattern: string, options: LineRegexOptions): LineRegex {
  const source = options.fixedStrings ? re2.quote(pattern) : pattern;
  let compiled: RE2JS;
  try {
    compiled = re2.compile(source, options.caseSensitive ? 0 : re2.CASE_INSENSITIVE);
  } catch (error) {
    throw new InvalidRegexError(error instanceof Error ? error.message : String(error));
  }
  return { test: (line) => compiled.matcher(line).find() };
}

/** Lines checked between two looks at the clock. */
const LINES_PER_CLOCK_CHECK = 2_000;

export class MatchDeadlineError extends Error {}

/**
 * 0-based numbers of the lines that match `regex` and not `exclude`, at most `max`. Throws
 * MatchDeadlineError once `deadline` (from `now`) has passed.
 */
export function matchingLines(
  lines: readonly string[],
  regex: LineRegex,
  exclude: LineRegex | undefined,
  max: number,
  deadline: number,
  now: () => number = Date.now,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < lines.length && out.length < max; i++) {
    if (i % LINES_PER_CLOCK_CHECK === 0 && now() > deadline) throw new MatchDeadlineError();
    const line = lines[i] ?? "";
    if (regex.test(line) && !(exclude !== undefined && exclude.test(line))) out.push(i);
  }
  return out;
}

/** A window of lines to show around matches: 0-based, inclusive. */
export interface LineSpan {
  first: number;
  last: number;
}

/** Windows of `before`/`after` lines around each match, merged where they touch or overlap. */
export function contextSpans(matches: readonly number[], before: number, after: number, lineCount: number): LineSpan[] {
  const spans: LineSpan[] = [];
  for (const n of matches) {
    const first = Math.max(0, n - before);
    const last = Math.min(lineCount - 1, n + after);
    const previous = spans.at(-1);
    if (previous && first <= previous.last + 1) previous.last = Math.max(previous.last, last);
    else spans.push({ first, last });
  }
  return spans;
}
