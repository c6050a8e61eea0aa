import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resolveInWorkspace } from "./confine.js";
import { IgnoreRules, ignoredNote, RESPECT_ALL, RESPECT_NONE } from "./ignore-rules.js";
import { cutLine, formatBytes, readTextFile, splitLines } from "./file-text.js";
import {
  GREP_TIMEOUT_MS,
  MAX_FILE_BYTES,
  MAX_GREP_CONTEXT_LINES,
  MAX_GREP_LINE_CHARS,
  MAX_GREP_MATCHES,
  MAX_GREP_MATCHES_LIMIT,
  MAX_PATH_CHARS,
  MAX_PATTERN_CHARS,
  MAX_WALK_FILES,
} from "./limits.js";
import { compileLineRegex, contextSpans, InvalidRegexError, matchingLines, MatchDeadlineError } from "./line-regex.js";
import type { LineRegex } from "./line-regex.js";
import { loadRe2, type Re2 } from "./re2.js";
import { InvalidPatternError, PatternSandbox, PatternTimeoutError } from "./pattern-sandbox.js";
import type { GlobHandle } from "./pattern-sandbox.js";
import { formatCount, plural, REFUSED_PATHS_NOTE, toolError, toolSuccess } from "./tool.js";
import type { ReviewTool, ToolContext, ToolResult } from "./tool.js";
import { comparePaths, walkFiles } from "./walk.js";
import type { WalkedFile } from "./walk.js";

const contextLines = (what: string) => z.int().min(0).optional().describe(`Optional: ${what}.`);

const GrepSearchParams = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .max(MAX_PATTERN_CHARS)
    .describe(
      "The regular expression to search for in each line, in ripgrep's (RE2) syntax: '\\b', '(?i)', POSIX classes such as [[:alpha:]]; no lookaround or backreferences (e.g. 'create\\s+index', 'add_column\\s+:users'). Matches do not span lines.",
    ),
  dir_path: z
    .string()
    .min(1)
    .max(MAX_PATH_CHARS)
    .optional()
    .describe("Optional: directory (or single file) to search, relative to the repository root. Defaults to the root."),
  include_pattern: z
    .string()
    .min(1)
    .max(MAX_PATTERN_CHARS)
    .optional()
    .describe(
      "Optional: glob of the files to search (e.g. '*.sql', '*.{rb,py}', 'db/migrate/**'). A pattern without '/' matches file names at any depth; one with '/' matches paths relative to dir_path.",
    ),
  exclude_pattern: z
    .string()
    .min(1)
    .max(MAX_PATTERN_CHARS)
    .optional()
    .describe("Optional: regular expression; a line that matches both pattern and exclude_pattern is left out."),
  names_only: z
    .boolean()
    .optional()
    .describe("Optional: if true, return only the paths of files with a match, without lines. total_max_matches then caps the number of files."),
  case_sensitive: z.boolean().optional().describe("Optional: if true, the search is case-sensitive. Defaults to false (ignore case)."),
  fixed_strings: z
    .boolean()
    .optional()
    .describe("Optional: if true, pattern (and exclude_pattern) are literal strings, not regular expressions. Defaults to false."),
  context: contextLines("lines of context around each match (grep -C)"),
  after: contextLines("lines after each match (grep -A)"),
  before: contextLines("lines before each match (grep -B)"),
  no_ignore: z.boolean().optional().describe("Optional: if true, also search files that .gitignore or .geminiignore leave out. Defaults to false."),
  max_matches_per_file: z
    .int()
    .min(1)
    .max(MAX_GREP_MATCHES_LIMIT)
    .optional()
    .describe("Optional: maximum number of matching lines shown per file, so that one repetitive file does not crowd out the others."),
  total_max_matches: z
    .int()
    .min(1)
    .max(MAX_GREP_MATCHES_LIMIT)
    .optional()
    .describe(`Optional: maximum number of matching lines returned in all. Defaults to ${formatCount(MAX_GREP_MATCHES)}.`),
});

export type GrepSearchParams = z.infer<typeof GrepSearchParams>;

interface FileMatches {
  file: string;
  lines: readonly string[];
  /** 0-based numbers of the matching lines kept. */
  matches: number[];
  /** The file has more matches than max_matches_per_file let through. */
  more: boolean;
}

class SearchTimeout extends Error {}

function timeoutResult(pattern: string): ToolResult {
  return toolError(
    "search_timeout",
    `The search for '${pattern}' did not finish within ${formatCount(GREP_TIMEOUT_MS / 1000)} seconds and was stopped. ` +
      "Narrow it with dir_path or include_pattern (e.g. include_pattern: '*.sql').",
    `grep '${pattern}': timed out`,
  );
}

interface Compiled {
  regex: LineRegex;
  exclude: LineRegex | undefined;
  include: GlobHandle | undefined;
}

/** The model's patterns, compiled; an invalid one becomes an invalid_params result. */
function compile(re2: Re2, sandbox: PatternSandbox, params: GrepSearchParams): Compiled | ToolResult {
  const options = { fixedStrings: params.fixed_strings === true, caseSensitive: params.case_sensitive === true };
  let problem = "pattern is not a valid regular expression (RE2 syntax, as ripgrep's)";
  try {
    const regex = compileLineRegex(re2, params.pattern, options);
    problem = "exclude_pattern is not a valid regular expression (RE2 syntax, as ripgrep's)";
    const exclude = params.exclude_pattern === undefined ? undefined : compileLineRegex(re2, params.exclude_pattern, options);
    problem = "include_pattern is not a valid glob";
    const include = params.include_pattern === undefined ? undefined : sandbox.glob(params.include_pattern, { caseSensitive: false, matchBase: true });
    return { regex, exclude, include };
  } catch (error) {
    if (error instanceof InvalidPatternError || error instanceof InvalidRegexError) return toolError("invalid_params", `${problem}: ${error.message}`);
    throw error;
  }
}

/** Lines before and after each match: as asked, or automatic for 1 to 3 matches (50 lines for one, 15 for two or three). */
function contextFor(params: GrepSearchParams, matchCount: number): { before: number; after: number; automatic: boolean } {
  const asked = params.context !== undefined || params.before !== undefined || params.after !== undefined;
  if (!asked && params.names_only !== true && matchCount >= 1 && matchCount <= 3) {
    const lines = matchCount === 1 ? 50 : 15;
    return { before: lines, after: lines, automatic: true };
  }
  const clamp = (n: number | undefined) => Math.min(MAX_GREP_CONTEXT_LINES, n ?? params.context ?? 0);
  return { before: clamp(params.before), after: clamp(params.after), automatic: false };
}

/** A file's block: 'L<n>: ' for matching lines, 'L<n>- ' for context, '--' between separate windows. */
function fileBlock(f: FileMatches, before: number, after: number): string[] {
  const matched = new Set(f.matches);
  const out: string[] = [];
  for (const [i, span] of contextSpans(f.matches, before, after, f.lines.length).entries()) {
    if (i > 0) out.push("--");
    for (let n = span.first; n <= span.last; n++) out.push(`L${n + 1}${matched.has(n) ? ":" : "-"} ${cutLine(f.lines[n] ?? "", MAX_GREP_LINE_CHARS)}`);
  }
  return out;
}

async function grepSearch(params: GrepSearchParams, ctx: ToolContext): Promise<ToolResult> {
  const sandbox = new PatternSandbox(GREP_TIMEOUT_MS);
  const deadline = Date.now() + GREP_TIMEOUT_MS;
  const compiled = compile(await loadRe2(), sandbox, params);
  if ("llmContent" in compiled) return compiled;
  const { regex, exclude, include } = compiled;

  const confined = await resolveInWorkspace(ctx.root, params.dir_path ?? ".");
  if (!confined.ok) return toolError(confined.type, confined.message);
  const base = confined.relative;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.max(1, sandbox.remainingMs()))]);

  try {
    let candidates: WalkedFile[];
    let ignore: IgnoreRules | undefined;
    let walkTruncated = false;
    let refused = 0;
    const target = await stat(confined.absolute);
    if (target.isDirectory()) {
      ignore = await IgnoreRules.forFolder(ctx.root, base, params.no_ignore === true ? RESPECT_NONE : RESPECT_ALL);
      const walk = await walkFiles(ctx.root, confined, { signal, ignore });
      candidates = walk.files;
      walkTruncated = walk.truncated;
      refused = walk.refused;
    } else {
      candidates = [{ relative: base, absolute: confined.absolute }];
    }
    if (include !== undefined) {
      const underBase = candidates.map((f) => (target.isDirectory() && base !== "." ? path.posix.relative(base, f.relative) : f.relative));
      candidates = sandbox.filter(include, underBase).flatMap((i) => candidates[i] ?? []);
    }
    candidates.sort((a, b) => comparePaths(a.relative, b.relative));

    const total = params.total_max_matches ?? MAX_GREP_MATCHES;
    const perFile = params.names_only === true ? 1 : (params.max_matches_per_file ?? MAX_GREP_MATCHES_LIMIT);
    const found: FileMatches[] = [];
    let collected = 0;
    let limitReached = false;
    let binary = 0;
    let tooLarge = 0;
    for (const file of candidates) {
      if (signal.aborted) throw new SearchTimeout();
      if (collected >= total) {
        limitReached = true;
        break;
      }
      const check = await resolveInWorkspace(ctx.root, file.relative);
      if (!check.ok) {
        refused++;
        continue;
      }
      const read = await readTextFile(check.absolute, file.relative);
      if (!read.ok) {
        if (read.type === "binary_file") binary++;
        else if (read.type === "file_too_large") tooLarge++;
        continue;
      }
      const want = Math.min(perFile, total - collected);
      const lines = splitLines(read.text);
      let numbers: number[];
      try {
        numbers = matchingLines(lines, regex, exclude, want + 1, deadline);
      } catch (error) {
        if (error instanceof MatchDeadlineError) throw new SearchTimeout();
        throw error;
      }
      if (numbers.length === 0) continue;
      const kept = numbers.slice(0, want);
      found.push({ file: file.relative, lines, matches: kept, more: params.names_only !== true && numbers.length > want && want === perFile });
      collected += params.names_only === true ? 1 : kept.length;
      if (numbers.length > want && want < perFile) limitReached = true;
    }

    const where = base === "." ? "the repository" : `'${base}'`;
    const filter = params.include_pattern === undefined ? "" : ` (include_pattern: '${params.include_pattern}')`;
    const notes: string[] = [];
    if (limitReached) {
      const limitName = params.total_max_matches === undefined ? "the default limit" : "total_max_matches";
      notes.push(
        `[Stopped at ${limitName} of ${plural(total, params.names_only === true ? "file" : "match", params.names_only === true ? "files" : "matches")}; there may be more. ` +
          `Narrow the search with dir_path or include_pattern, or raise total_max_matches (at most ${formatCount(MAX_GREP_MATCHES_LIMIT)}).]`,
      );
    }
    if (walkTruncated) {
      notes.push(
        `[The search stopped after ${formatCount(MAX_WALK_FILES)} entries, so some files were not searched. Set dir_path to a subdirectory to search it fully.]`,
      );
    }
    const skipped: string[] = [];
    if (binary > 0) skipped.push(plural(binary, "binary file"));
    if (tooLarge > 0) skipped.push(`${plural(tooLarge, "file")} over ${formatBytes(MAX_FILE_BYTES)}`);
    if (refused > 0) skipped.push(`${plural(refused, "refused path")} (${REFUSED_PATHS_NOTE})`);
    if (skipped.length > 0) notes.push(`(Not searched: ${skipped.join(", ")}.)`);
    if ((ignore?.ignoredCount ?? 0) > 0) notes.push(ignoredNote(ignore?.ignoredCount ?? 0, "pass no_ignore: true"));

    if (found.length === 0) {
      const body = [`No matches found for '${params.pattern}' in ${where}${filter}.`, ...notes].join("\n\n");
      return toolSuccess(body, `grep '${params.pattern}': no matches`);
    }
    if (params.names_only === true) {
      const head = `Found ${plural(found.length, "file")} matching '${params.pattern}' in ${where}${filter}:`;
      const body = [`${head}\n${found.map((f) => f.file).join("\n")}`, ...notes].join("\n\n");
      return toolSuccess(body, `grep '${params.pattern}': ${plural(found.length, "file")}`);
    }
    const context = contextFor(params, collected);
    const blocks = found.map((f) => {
      const lines = fileBlock(f, context.before, context.after);
      if (f.more) lines.push(`(more matches in this file not shown: max_matches_per_file is ${formatCount(perFile)})`);
      return `File: ${f.file}\n${lines.join("\n")}`;
    });
    const shownContext = context.automatic
      ? ` (with ${formatCount(context.before)} lines of context around ${collected === 1 ? "it" : "each"}, shown as 'L<n>-')`
      : "";
    const head = `Found ${plural(collected, "match", "matches")} for '${params.pattern}' in ${where}${filter}${shownContext}:`;
    const body = [`${head}\n---\n${blocks.join("\n---\n")}\n---`, ...notes].join("\n\n");
    return toolSuccess(body, `grep '${params.pattern}': ${plural(collected, "match", "matches")} in ${plural(found.length, "file")}`);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    if (error instanceof PatternTimeoutError || error instanceof SearchTimeout || error instanceof MatchDeadlineError || signal.aborted) {
      return timeoutResult(params.pattern);
    }
    throw error;
  }
}

export const grepSearchTool: ReviewTool<GrepSearchParams> = {
  name: "grep_search",
  description:
    "Searches the files of the pull request's head commit for lines matching a regular expression in ripgrep's syntax (RE2), ignoring case unless case_sensitive is true. " +
    "Results are grouped by file: 'File: <path>' then 'L<line>: <text>' for each matching line and 'L<line>- <text>' for context lines. " +
    `Returns at most ${formatCount(MAX_GREP_MATCHES)} matches unless total_max_matches says otherwise; the result says when it stopped at the limit. ` +
    `Long lines are cut at ${formatCount(MAX_GREP_LINE_CHARS)} characters. ` +
    `context, before and after show up to ${formatCount(MAX_GREP_CONTEXT_LINES)} lines around matches; with 1 to 3 matches and none asked, context is added (50 lines for one match, 15 otherwise). ` +
    `A search that takes over ${formatCount(GREP_TIMEOUT_MS / 1000)} seconds is stopped: narrow it with dir_path or include_pattern. ` +
    "Binary files, secrets, credentials, .git and node_modules are not searched.",
  parameters: GrepSearchParams,
  execute: (params, ctx) => grepSearch(params, ctx),
};
