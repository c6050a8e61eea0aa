import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resolveInWorkspace } from "./confine.js";
import { cutLine, formatBytes, readTextFile, splitLines } from "./file-text.js";
import {
  GREP_TIMEOUT_MS,
  MAX_FILE_BYTES,
  MAX_GREP_LINE_CHARS,
  MAX_GREP_MATCHES,
  MAX_GREP_MATCHES_LIMIT,
  MAX_PATH_CHARS,
  MAX_PATTERN_CHARS,
  MAX_WALK_FILES,
} from "./limits.js";
import { InvalidPatternError, PatternSandbox, PatternTimeoutError } from "./pattern-sandbox.js";
import type { GlobHandle, RegexHandle } from "./pattern-sandbox.js";
import { formatCount, plural, REFUSED_PATHS_NOTE, toolError, toolSuccess } from "./tool.js";
import type { ReviewTool, ToolContext, ToolResult } from "./tool.js";
import { comparePaths, walkFiles } from "./walk.js";
import type { WalkedFile } from "./walk.js";

const GrepSearchParams = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .max(MAX_PATTERN_CHARS)
    .describe(
      "JavaScript regular expression searched for in each line of each file, ignoring case (e.g. 'create\\s+index', 'add_column\\s+:users'). Matches do not span lines.",
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
    .describe(
      "Optional: if true, return only the paths of files with a match, without lines. total_max_matches then caps the number of files.",
    ),
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
  lines: { number: number; text: string }[];
  /** The file has more matches than max_matches_per_file let through. */
  more: boolean;
}

class SearchTimeout extends Error {}

function timeoutResult(pattern: string): ToolResult {
  return toolError(
    "search_timeout",
    `The search for '${pattern}' did not finish within ${formatCount(GREP_TIMEOUT_MS / 1000)} seconds and was stopped. ` +
      "Narrow it with dir_path or include_pattern (e.g. include_pattern: '*.sql'), or simplify the pattern: nested quantifiers such as (a+)+ can take forever to fail.",
    `grep '${pattern}': timed out`,
  );
}

interface Compiled {
  regex: RegexHandle;
  exclude: RegexHandle | undefined;
  include: GlobHandle | undefined;
}

/** The model's patterns, compiled in the sandbox; an invalid one becomes an invalid_params result. */
function compile(sandbox: PatternSandbox, params: GrepSearchParams): Compiled | ToolResult {
  let problem = "pattern is not a valid JavaScript regular expression";
  try {
    const regex = sandbox.regex(params.pattern, "i");
    problem = "exclude_pattern is not a valid JavaScript regular expression";
    const exclude = params.exclude_pattern === undefined ? undefined : sandbox.regex(params.exclude_pattern, "i");
    problem = "include_pattern is not a valid glob";
    const include =
      params.include_pattern === undefined
        ? undefined
        : sandbox.glob(params.include_pattern, { caseSensitive: false, matchBase: true });
    return { regex, exclude, include };
  } catch (error) {
    if (error instanceof InvalidPatternError) return toolError("invalid_params", `${problem}: ${error.message}`);
    throw error;
  }
}

async function grepSearch(params: GrepSearchParams, ctx: ToolContext): Promise<ToolResult> {
  const sandbox = new PatternSandbox(GREP_TIMEOUT_MS);
  const compiled = compile(sandbox, params);
  if ("llmContent" in compiled) return compiled;
  const { regex, exclude, include } = compiled;

  const confined = await resolveInWorkspace(ctx.root, params.dir_path ?? ".");
  if (!confined.ok) return toolError(confined.type, confined.message);
  const base = confined.relative;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.max(1, sandbox.remainingMs()))]);

  try {
    let candidates: WalkedFile[];
    let walkTruncated = false;
    let refused = 0;
    const target = await stat(confined.absolute);
    if (target.isDirectory()) {
      const walk = await walkFiles(ctx.root, confined, { signal });
      candidates = walk.files;
      walkTruncated = walk.truncated;
      refused = walk.refused;
    } else {
      candidates = [{ relative: base, absolute: confined.absolute }];
    }
    if (include !== undefined) {
      const underBase = candidates.map((f) =>
        target.isDirectory() && base !== "." ? path.posix.relative(base, f.relative) : f.relative,
      );
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
      const numbers = sandbox.grepLines(read.text, regex, exclude, want + 1);
      if (numbers.length === 0) continue;
      const kept = numbers.slice(0, want);
      const lines = params.names_only === true ? [] : splitLines(read.text);
      found.push({
        file: file.relative,
        lines: kept.map((n) => ({ number: n + 1, text: cutLine(lines[n] ?? "", MAX_GREP_LINE_CHARS) })),
        more: params.names_only !== true && numbers.length > want && want === perFile,
      });
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

    if (found.length === 0) {
      const body = [`No matches found for '${params.pattern}' in ${where}${filter}.`, ...notes].join("\n\n");
      return toolSuccess(body, `grep '${params.pattern}': no matches`);
    }
    if (params.names_only === true) {
      const head = `Found ${plural(found.length, "file")} matching '${params.pattern}' in ${where}${filter}:`;
      const body = [`${head}\n${found.map((f) => f.file).join("\n")}`, ...notes].join("\n\n");
      return toolSuccess(body, `grep '${params.pattern}': ${plural(found.length, "file")}`);
    }
    const blocks = found.map((f) => {
      const lines = f.lines.map((l) => `L${l.number}: ${l.text}`);
      if (f.more) lines.push(`(more matches in this file not shown: max_matches_per_file is ${formatCount(perFile)})`);
      return `File: ${f.file}\n${lines.join("\n")}`;
    });
    const head = `Found ${plural(collected, "match", "matches")} for '${params.pattern}' in ${where}${filter}:`;
    const body = [`${head}\n---\n${blocks.join("\n---\n")}\n---`, ...notes].join("\n\n");
    return toolSuccess(
      body,
      `grep '${params.pattern}': ${plural(collected, "match", "matches")} in ${plural(found.length, "file")}`,
    );
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    if (error instanceof PatternTimeoutError || error instanceof SearchTimeout || signal.aborted) {
      return timeoutResult(params.pattern);
    }
    throw error;
  }
}

export const grepSearchTool: ReviewTool<GrepSearchParams> = {
  name: "grep_search",
  description:
    "Searches the files of the pull request's head commit for lines matching a JavaScript regular expression (case-insensitive). " +
    "Results are grouped by file: 'File: <path>' then 'L<line>: <text>' for each matching line. " +
    `Returns at most ${formatCount(MAX_GREP_MATCHES)} matches unless total_max_matches says otherwise; the result says when it stopped at the limit. ` +
    `Long lines are cut at ${formatCount(MAX_GREP_LINE_CHARS)} characters. ` +
    `A search that takes over ${formatCount(GREP_TIMEOUT_MS / 1000)} seconds is stopped: narrow it with dir_path or include_pattern. ` +
    "Binary files, secrets, credentials, .git and node_modules are not searched.",
  parameters: GrepSearchParams,
  execute: (params, ctx) => grepSearch(params, ctx),
};
