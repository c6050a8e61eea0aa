import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { deniedEntry, resolveInWorkspace } from "./confine.js";
import { FileFilteringOptions, ignoreChoice, IgnoreRules } from "./ignore-rules.js";
import { MAX_LIST_ENTRIES, MAX_PATH_CHARS, MAX_PATTERN_CHARS, MAX_PATTERNS_PER_CALL, PATTERN_TIMEOUT_MS } from "./limits.js";
import { InvalidPatternError, PatternSandbox, PatternTimeoutError } from "./pattern-sandbox.js";
import type { GlobHandle } from "./pattern-sandbox.js";
import { formatCount, plural, REFUSED_PATHS_NOTE, toolError, toolSuccess } from "./tool.js";
import type { ReviewTool, ToolResult } from "./tool.js";
import { comparePaths, joinRelative } from "./walk.js";

const ListDirectoryParams = z.strictObject({
  dir_path: z.string().min(1).max(MAX_PATH_CHARS).describe("Path of the directory to list, relative to the repository root; '.' is the root."),
  ignore: z
    .array(z.string().min(1).max(MAX_PATTERN_CHARS))
    .max(MAX_PATTERNS_PER_CALL)
    .optional()
    .describe("Optional: glob patterns of entries to leave out, matched against each entry's name and path (e.g. ['*.md', 'archive'])."),
  file_filtering_options: FileFilteringOptions,
});

export type ListDirectoryParams = z.infer<typeof ListDirectoryParams>;

interface Listed {
  name: string;
  isDirectory: boolean;
  /** Bytes, for files. */
  size?: number;
}

/** Directories first, then files; each group alphabetical, ignoring case first. */
function compareListed(a: Listed, b: Listed): number {
  if (a.isDirectory !== b.isDirectory) return a.isDirectory ? -1 : 1;
  return comparePaths(a.name.toLowerCase(), b.name.toLowerCase()) || comparePaths(a.name, b.name);
}

async function listDirectory(params: ListDirectoryParams, root: string): Promise<ToolResult> {
  const confined = await resolveInWorkspace(root, params.dir_path);
  if (!confined.ok) return toolError(confined.type, confined.message);
  const shown = confined.relative;
  const target = await stat(confined.absolute);
  if (!target.isDirectory()) {
    return toolError("target_is_file", `Path '${shown}' is a file, not a directory. Use read_file to read it.`);
  }

  const sandbox = new PatternSandbox(PATTERN_TIMEOUT_MS);
  let ignore: GlobHandle[];
  try {
    ignore = (params.ignore ?? []).map((pattern) => sandbox.glob(pattern, { caseSensitive: true, matchBase: false }));
  } catch (error) {
    if (error instanceof InvalidPatternError) {
      return toolError("invalid_params", `An ignore pattern is not a valid glob: ${error.message}`);
    }
    throw error;
  }

  const entries = (await readdir(confined.absolute, { withFileTypes: true })).map((entry) => ({
    entry,
    relative: joinRelative(shown, entry.name),
  }));
  const notDenied = entries.filter(({ relative }) => deniedEntry(relative) === undefined);
  let refused = entries.length - notDenied.length;
  const rules = await IgnoreRules.forFolder(root, shown, ignoreChoice(params.file_filtering_options));
  const allowed = notDenied.filter(({ entry, relative }) => !rules.ignores(relative, entry.isDirectory()));

  const ignoredIndexes = new Set<number>();
  try {
    const names = allowed.map(({ entry }) => entry.name);
    const relatives = allowed.map(({ relative }) => relative);
    for (const glob of ignore) {
      for (const i of sandbox.filter(glob, names)) ignoredIndexes.add(i);
      for (const i of sandbox.filter(glob, relatives)) ignoredIndexes.add(i);
    }
  } catch (error) {
    if (error instanceof PatternTimeoutError) {
      return toolError(
        "search_timeout",
        `Matching the ignore patterns took longer than ${formatCount(PATTERN_TIMEOUT_MS)} ms and was stopped. Use simpler patterns.`,
      );
    }
    throw error;
  }
  const ignored = ignoredIndexes.size;

  const listed: Listed[] = [];
  for (const [i, { entry, relative }] of allowed.entries()) {
    if (ignoredIndexes.has(i)) continue;
    if (entry.isDirectory()) {
      listed.push({ name: entry.name, isDirectory: true });
    } else if (entry.isFile()) {
      const info = await stat(path.join(confined.absolute, entry.name)).catch(() => undefined);
      listed.push({ name: entry.name, isDirectory: false, ...(info ? { size: info.size } : {}) });
    } else if (entry.isSymbolicLink()) {
      // Shown as what it leads to, and only when that is inside the workspace and not refused.
      const link = await resolveInWorkspace(root, relative);
      if (!link.ok) {
        refused++;
        continue;
      }
      const linked = await stat(link.absolute).catch(() => undefined);
      if (linked?.isDirectory() === true) listed.push({ name: entry.name, isDirectory: true });
      else if (linked?.isFile() === true) listed.push({ name: entry.name, isDirectory: false, size: linked.size });
    }
  }
  listed.sort(compareListed);

  const notes: string[] = [];
  const hidden: string[] = [];
  if (ignored > 0) hidden.push(`${formatCount(ignored)} matched ignore`);
  if (refused > 0) hidden.push(`${formatCount(refused)} refused, as ${REFUSED_PATHS_NOTE}`);
  if (rules.ignoredCount > 0)
    hidden.push(
      `${formatCount(rules.ignoredCount)} left out by .gitignore or .geminiignore (pass file_filtering_options: {respect_git_ignore: false, respect_gemini_ignore: false} to see them)`,
    );
  const hiddenCount = ignored + refused + rules.ignoredCount;
  if (hidden.length > 0) notes.push(`(${plural(hiddenCount, "entry", "entries")} not shown: ${hidden.join("; ")}.)`);

  if (listed.length === 0) {
    const body = [`Directory '${shown}' is empty.`, ...notes].join("\n\n");
    return toolSuccess(body, `${shown}: empty`);
  }
  const shownEntries = listed.slice(0, MAX_LIST_ENTRIES);
  if (listed.length > shownEntries.length) {
    notes.unshift(
      `Showing the first ${formatCount(shownEntries.length)} of ${formatCount(listed.length)} entries. ` +
        "To see the rest, list a subdirectory, pass ignore patterns, or use glob with a narrower pattern.",
    );
  }
  const lines = shownEntries.map((e) => (e.isDirectory ? `[DIR] ${e.name}` : e.size === undefined ? e.name : `${e.name} (${formatCount(e.size)} bytes)`));
  const body = [`Directory listing for ${shown}:\n${lines.join("\n")}`, ...notes].join("\n\n");
  return toolSuccess(body, `${shown}: ${plural(listed.length, "entry", "entries")}`);
}

export const listDirectoryTool: ReviewTool<ListDirectoryParams> = {
  name: "list_directory",
  description:
    "Lists the files and subdirectories directly inside a directory of the pull request's head commit: " +
    "directories first (marked [DIR]), then files with their size in bytes, each alphabetical. " +
    `At most ${formatCount(MAX_LIST_ENTRIES)} entries are returned; the result says when more exist. ` +
    "Secrets, credentials, .git and node_modules are never listed.",
  parameters: ListDirectoryParams,
  execute: (params, ctx) => listDirectory(params, ctx.root),
};
