import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resolveInWorkspace } from "./confine.js";
import { ignoreChoice, IgnoreRules, ignoredNote, RESPECT_PARAMETERS } from "./ignore-rules.js";
import { MAX_GLOB_RESULTS, MAX_PATH_CHARS, MAX_PATTERN_CHARS, MAX_WALK_FILES, PATTERN_TIMEOUT_MS } from "./limits.js";
import { InvalidPatternError, PatternSandbox, PatternTimeoutError } from "./pattern-sandbox.js";
import { formatCount, plural, REFUSED_PATHS_NOTE, toolError, toolSuccess } from "./tool.js";
import type { ReviewTool, ToolResult } from "./tool.js";
import { comparePaths, walkFiles } from "./walk.js";

const GlobParams = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .max(MAX_PATTERN_CHARS)
    .describe(
      "The glob pattern, matched against paths relative to dir_path (e.g. '**/*.sql', 'db/migrate/*.rb', '**/migrations/**'). '*' stays within one folder; '**' crosses folders.",
    ),
  dir_path: z
    .string()
    .min(1)
    .max(MAX_PATH_CHARS)
    .optional()
    .describe("Optional: directory to search in, relative to the repository root. Defaults to the root."),
  case_sensitive: z.boolean().optional().describe("Optional: whether the pattern is case-sensitive. Defaults to false."),
  ...RESPECT_PARAMETERS,
});

export type GlobParams = z.infer<typeof GlobParams>;

async function glob(params: GlobParams, root: string, signal: AbortSignal): Promise<ToolResult> {
  const confined = await resolveInWorkspace(root, params.dir_path ?? ".");
  if (!confined.ok) return toolError(confined.type, confined.message);
  const base = confined.relative;
  const target = await stat(confined.absolute);
  if (!target.isDirectory()) {
    return toolError("target_is_file", `dir_path '${base}' is a file, not a directory. Use read_file to read it.`);
  }

  const ignore = await IgnoreRules.forFolder(root, base, ignoreChoice(params));
  const walk = await walkFiles(root, confined, { signal, ignore });
  const sandbox = new PatternSandbox(PATTERN_TIMEOUT_MS);
  const underBase = walk.files.map((f) => (base === "." ? f.relative : path.posix.relative(base, f.relative)));
  let matched: number[];
  try {
    const handle = sandbox.glob(params.pattern, { caseSensitive: params.case_sensitive ?? false, matchBase: false });
    matched = sandbox.filter(handle, underBase);
  } catch (error) {
    if (error instanceof InvalidPatternError) {
      return toolError("invalid_params", `The pattern is not a valid glob: ${error.message}`);
    }
    if (error instanceof PatternTimeoutError) {
      return toolError(
        "search_timeout",
        `Matching the glob took longer than ${formatCount(PATTERN_TIMEOUT_MS)} ms and was stopped. Use a simpler pattern, or set dir_path to search a smaller folder.`,
      );
    }
    throw error;
  }

  // Every match is confined again before it is shown.
  const found: string[] = [];
  let refused = walk.refused;
  for (const i of matched) {
    const file = walk.files[i];
    if (file === undefined) continue;
    const check = await resolveInWorkspace(root, file.relative);
    if (check.ok) found.push(file.relative);
    else refused++;
  }
  found.sort(comparePaths);

  const where = base === "." ? "the repository" : `'${base}'`;
  const notes: string[] = [];
  if (walk.truncated) {
    notes.push(
      `The search stopped after ${formatCount(MAX_WALK_FILES)} entries, so some files were not looked at. Set dir_path to a subdirectory to search it fully.`,
    );
  }
  if (refused > 0) {
    notes.push(`(${plural(refused, "path")} not searched: ${REFUSED_PATHS_NOTE}.)`);
  }
  if (ignore.ignoredCount > 0) notes.push(ignoredNote(ignore.ignoredCount, "pass respect_git_ignore: false and respect_gemini_ignore: false"));
  if (found.length === 0) {
    const body = [`No files found matching '${params.pattern}' in ${where}.`, ...notes].join("\n\n");
    return toolSuccess(body, `glob ${params.pattern}: no files`);
  }
  const listed = found.slice(0, MAX_GLOB_RESULTS);
  let head = `Found ${plural(found.length, "file")} matching '${params.pattern}' in ${where}`;
  if (listed.length < found.length) {
    head += `; showing the first ${formatCount(listed.length)} by path. To see the rest, use a narrower pattern or set dir_path to a subdirectory`;
  }
  const body = [`${head}:\n${listed.join("\n")}`, ...notes].join("\n\n");
  return toolSuccess(body, `glob ${params.pattern}: ${plural(found.length, "file")}`);
}

export const globTool: ReviewTool<GlobParams> = {
  name: "glob",
  description:
    "Finds files of the pull request's head commit whose paths match a glob pattern (e.g. '**/*.sql', 'db/migrate/**'). " +
    `Returns paths relative to the repository root, sorted by path, at most ${formatCount(MAX_GLOB_RESULTS)}; the result says when more matched. ` +
    "Lists files only, not directories. Secrets, credentials, .git and node_modules are never listed.",
  parameters: GlobParams,
  execute: (params, ctx) => glob(params, ctx.root, ctx.signal),
};
