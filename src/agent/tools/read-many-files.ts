import { stat } from "node:fs/promises";
import picomatch from "picomatch";
import { z } from "zod";
import { resolveInWorkspace } from "./confine.js";
import { FileFilteringOptions, ignoreChoice, IgnoreRules, ignoredNote } from "./ignore-rules.js";
import type { PathRefusal } from "./confine.js";
import { formatBytes, lineWindow, readTextFile, splitLines } from "./file-text.js";
import type { TextFileRead } from "./file-text.js";
import {
  MAX_FILE_BYTES,
  MAX_LINE_CHARS,
  MAX_PATH_CHARS,
  MAX_PATTERN_CHARS,
  MAX_PATTERNS_PER_CALL,
  MAX_READ_MANY_CHARS,
  MAX_READ_MANY_FILES,
  MAX_SKIPPED_LISTED,
  MAX_WALK_FILES,
  PATTERN_TIMEOUT_MS,
} from "./limits.js";
import { InvalidPatternError, PatternSandbox, PatternTimeoutError } from "./pattern-sandbox.js";
import type { GlobHandle } from "./pattern-sandbox.js";
import { formatCount, plural, REFUSED_PATHS_NOTE, toolError, toolSuccess } from "./tool.js";
import type { ReviewTool, ToolContext, ToolResult } from "./tool.js";
import { comparePaths, walkFiles } from "./walk.js";
import type { WalkedFile, WalkOutcome } from "./walk.js";

/**
 * Files left out of directory and glob matches unless useDefaultExcludes is false: build output,
 * vendored code, lock files and media, which cost many characters and say nothing about a
 * migration. Paths named one by one in `include` are read regardless.
 */
export const DEFAULT_READ_MANY_EXCLUDES: readonly string[] = [
  "**/dist/**",
  "**/build/**",
  "**/coverage/**",
  "**/vendor/**",
  "**/__pycache__/**",
  "**/.venv/**",
  "**/*.min.js",
  "**/*.min.css",
  "**/*.map",
  "**/*.lock",
  "**/package-lock.json",
  "**/pnpm-lock.yaml",
  "**/*.{png,jpg,jpeg,gif,webp,bmp,ico,svg,pdf,zip,gz,tgz,bz2,xz,7z,jar,war,class,pyc,exe,dll,so,dylib,woff,woff2,ttf,otf,eot,mp3,mp4,mov,wav}",
];

const isDefaultExcluded = picomatch([...DEFAULT_READ_MANY_EXCLUDES], { dot: true, nocase: true });

const ReadManyFilesParams = z.strictObject({
  include: z
    .array(z.string().min(1).max(Math.max(MAX_PATH_CHARS, MAX_PATTERN_CHARS)))
    .min(1)
    .max(MAX_PATTERNS_PER_CALL)
    .describe(
      "Paths or glob patterns of the files to read, relative to the repository root (e.g. ['db/migrate/20240101_add_users.rb', 'db/migrate/*.rb', 'db/schema.rb']). A directory reads the files inside it.",
    ),
  exclude: z
    .array(z.string().min(1).max(MAX_PATTERN_CHARS))
    .max(MAX_PATTERNS_PER_CALL)
    .optional()
    .describe(
      "Optional: glob patterns of files to leave out (e.g. ['**/*_test.rb', 'fixtures']). A pattern without '/' matches file or folder names at any depth.",
    ),
  recursive: z.boolean().optional().describe("Optional: whether a directory in include is read with its subdirectories. Defaults to true."),
  useDefaultExcludes: z
    .boolean()
    .optional()
    .describe("Optional: whether to leave out build output, vendored code, lock files and media found through directories and globs. Defaults to true."),
  file_filtering_options: FileFilteringOptions,
});

export type ReadManyFilesParams = z.infer<typeof ReadManyFilesParams>;

interface Candidate {
  relative: string;
  absolute: string;
  /** Named one by one in include: read even if a default exclude matches. */
  explicit: boolean;
}

interface Skipped {
  path: string;
  reason: string;
}

function shortReason(type: PathRefusal["type"] | Extract<TextFileRead, { ok: false }>["type"]): string {
  switch (type) {
    case "path_not_in_workspace":
      return "outside the workspace";
    case "path_refused":
      return "refused (secrets, credentials, .git, node_modules or not a regular file)";
    case "file_not_found":
      return "not found";
    case "target_is_directory":
      return "a directory";
    case "file_too_large":
      return `larger than ${formatBytes(MAX_FILE_BYTES)}`;
    case "binary_file":
      return "binary file";
  }
}

function patternTimeout(): ToolResult {
  return toolError(
    "search_timeout",
    `Matching the include and exclude patterns took longer than ${formatCount(PATTERN_TIMEOUT_MS)} ms and was stopped. Use simpler patterns or name the files one by one.`,
  );
}

async function readManyFiles(params: ReadManyFilesParams, ctx: ToolContext): Promise<ToolResult> {
  const recursive = params.recursive ?? true;
  const useDefaultExcludes = params.useDefaultExcludes ?? true;
  const skipped: Skipped[] = [];
  const candidates = new Map<string, Candidate>();
  let walkRefused = 0;
  let walkTruncated = false;
  let excluded = 0;

  const sandbox = new PatternSandbox(PATTERN_TIMEOUT_MS);
  let excludes: GlobHandle[];
  try {
    // A pattern without "/" matches a file name, or a folder name anywhere along the path.
    excludes = (params.exclude ?? []).flatMap((p) =>
      p.includes("/")
        ? [sandbox.glob(p, { caseSensitive: true, matchBase: false })]
        : [sandbox.glob(p, { caseSensitive: true, matchBase: true }), sandbox.glob(`**/${p}/**`, { caseSensitive: true, matchBase: false })],
    );
  } catch (error) {
    if (error instanceof InvalidPatternError) return toolError("invalid_params", `An exclude pattern is not a valid glob: ${error.message}`);
    throw error;
  }

  // Files named one by one are read whatever the ignore files say; folders and globs respect them.
  const ignoreSets: IgnoreRules[] = [];
  const ignoreIn = async (folder: string) => {
    const rules = await IgnoreRules.forFolder(ctx.root, folder, ignoreChoice(params.file_filtering_options));
    ignoreSets.push(rules);
    return rules;
  };
  let rootWalk: WalkOutcome | undefined;
  const walkRoot = async (): Promise<WalkOutcome> => {
    if (rootWalk === undefined) {
      const rootDir = await resolveInWorkspace(ctx.root, ".");
      if (!rootDir.ok) throw new Error(rootDir.message);
      rootWalk = await walkFiles(ctx.root, rootDir, { signal: ctx.signal, ignore: await ignoreIn(".") });
      walkRefused += rootWalk.refused;
      walkTruncated ||= rootWalk.truncated;
    }
    return rootWalk;
  };
  const addWalked = (files: readonly WalkedFile[]): void => {
    for (const file of [...files].sort((a, b) => comparePaths(a.relative, b.relative))) {
      if (candidates.has(file.relative)) continue;
      if (useDefaultExcludes && isDefaultExcluded(file.relative)) {
        excluded++;
        continue;
      }
      candidates.set(file.relative, { ...file, explicit: false });
    }
  };

  try {
    for (const entry of params.include) {
      const cleaned = entry.startsWith("./") ? entry.slice(2) : entry;
      if (!picomatch.scan(cleaned).isGlob) {
        const confined = await resolveInWorkspace(ctx.root, cleaned);
        if (!confined.ok) {
          skipped.push({ path: entry, reason: shortReason(confined.type) });
          continue;
        }
        const target = await stat(confined.absolute);
        if (target.isDirectory()) {
          const walk = await walkFiles(ctx.root, confined, { signal: ctx.signal, recursive, ignore: await ignoreIn(confined.relative) });
          walkRefused += walk.refused;
          walkTruncated ||= walk.truncated;
          addWalked(walk.files);
        } else if (!candidates.has(confined.relative)) {
          candidates.set(confined.relative, { relative: confined.relative, absolute: confined.absolute, explicit: true });
        }
        continue;
      }
      let handle: GlobHandle;
      try {
        handle = sandbox.glob(cleaned, { caseSensitive: true, matchBase: false });
      } catch (error) {
        if (error instanceof InvalidPatternError) {
          return toolError("invalid_params", `Include pattern '${entry}' is not a valid glob: ${error.message}`);
        }
        throw error;
      }
      const walk = await walkRoot();
      const matched = sandbox.filter(
        handle,
        walk.files.map((f) => f.relative),
      );
      if (matched.length === 0) skipped.push({ path: entry, reason: "no file matches this pattern" });
      addWalked(matched.flatMap((i) => walk.files[i] ?? []));
    }

    if (excludes.length > 0) {
      const list = [...candidates.values()];
      const drop = new Set<number>();
      for (const handle of excludes) {
        for (const i of sandbox.filter(
          handle,
          list.map((c) => c.relative),
        ))
          drop.add(i);
      }
      for (const i of drop) {
        const candidate = list[i];
        if (candidate !== undefined) candidates.delete(candidate.relative);
      }
      excluded += drop.size;
    }
  } catch (error) {
    if (error instanceof PatternTimeoutError) return patternTimeout();
    throw error;
  }

  const sections: string[] = [];
  const read: string[] = [];
  let chars = 0;
  let budgetSpent = false;
  for (const candidate of candidates.values()) {
    if (read.length >= MAX_READ_MANY_FILES) {
      skipped.push({ path: candidate.relative, reason: `not read: over the limit of ${MAX_READ_MANY_FILES} files per call` });
      continue;
    }
    if (budgetSpent) {
      skipped.push({ path: candidate.relative, reason: "not read: the output limit was reached" });
      continue;
    }
    // Every file is confined again, however it was found.
    const check = await resolveInWorkspace(ctx.root, candidate.relative);
    if (!check.ok) {
      skipped.push({ path: candidate.relative, reason: shortReason(check.type) });
      continue;
    }
    const text = await readTextFile(check.absolute, candidate.relative);
    if (!text.ok) {
      skipped.push({ path: candidate.relative, reason: shortReason(text.type) });
      continue;
    }
    const lines = splitLines(text.text);
    const header = `--- ${candidate.relative} ---`;
    const room = MAX_READ_MANY_CHARS - chars - header.length;
    if (lines.length > 0 && room < Math.min(MAX_LINE_CHARS, text.text.length)) {
      budgetSpent = true;
      skipped.push({ path: candidate.relative, reason: "not read: the output limit was reached" });
      continue;
    }
    const window = lineWindow(lines, 1, lines.length, { maxChars: room, maxLineChars: MAX_LINE_CHARS });
    const notes: string[] = [];
    if (lines.length === 0) notes.push("[Empty file.]");
    else if (window.last < window.total) {
      notes.push(
        `[Showing lines 1-${formatCount(window.last)} of ${formatCount(window.total)}. To read more, call read_file with file_path: '${candidate.relative}' and start_line: ${window.last + 1}.]`,
      );
      if (window.stoppedBy === "char_limit") budgetSpent = true;
    }
    if (window.cutLines > 0) {
      notes.push(`[${plural(window.cutLines, "long line")} cut at ${formatCount(MAX_LINE_CHARS)} characters.]`);
    }
    const section = [header, ...notes, window.text].filter((part) => part !== "").join("\n");
    sections.push(section);
    chars += section.length + 2;
    read.push(candidate.relative);
  }

  const tail: string[] = [];
  if (skipped.length > 0) {
    const listed = skipped.slice(0, MAX_SKIPPED_LISTED).map((s) => `- ${s.path}: ${s.reason}`);
    if (skipped.length > listed.length) listed.push(`- … and ${formatCount(skipped.length - listed.length)} more`);
    tail.push(`Skipped ${plural(skipped.length, "path")}:\n${listed.join("\n")}`);
  }
  if (excluded > 0) {
    tail.push(
      `(${plural(excluded, "file")} left out by exclude${useDefaultExcludes ? " or default excludes (build output, vendored code, lock files, media)" : ""}.)`,
    );
  }
  const ignoredByRules = ignoreSets.reduce((sum, rules) => sum + rules.ignoredCount, 0);
  if (ignoredByRules > 0) tail.push(ignoredNote(ignoredByRules, "pass file_filtering_options: {respect_git_ignore: false, respect_gemini_ignore: false}"));
  if (walkRefused > 0) {
    tail.push(`(${plural(walkRefused, "path")} not looked at: ${REFUSED_PATHS_NOTE}.)`);
  }
  if (walkTruncated) {
    tail.push(`(A folder walk stopped after ${formatCount(MAX_WALK_FILES)} entries; name narrower folders or patterns to find the rest.)`);
  }
  if (skipped.some((s) => s.reason.startsWith("not read"))) {
    tail.push("To read the files marked 'not read', call read_many_files again with them, or read_file for one file.");
  }

  if (sections.length === 0) {
    const body = ["No files were read.", ...tail].join("\n\n");
    return toolSuccess(body, `read_many_files: nothing read (${plural(skipped.length, "path")} skipped)`);
  }
  const body = [sections.join("\n\n"), "--- End of content ---", ...tail].join("\n\n");
  return {
    ...toolSuccess(body, `read_many_files: ${plural(read.length, "file")} read${skipped.length > 0 ? `, ${formatCount(skipped.length)} skipped` : ""}`),
    filesRead: read,
  };
}

export const readManyFilesTool: ReviewTool<ReadManyFilesParams> = {
  name: "read_many_files",
  description:
    "Reads several text files of the pull request's head commit in one call, named by path, directory or glob pattern, " +
    "and returns them concatenated, each after a '--- <path> ---' line, followed by the list of paths skipped and why. " +
    `Reads at most ${formatCount(MAX_READ_MANY_FILES)} files and ${formatCount(MAX_READ_MANY_CHARS)} characters per call; ` +
    "files cut short or not read are named with how to read them (read_file with start_line, or another call). " +
    "Binary files, secrets, credentials, .git and node_modules are never read.",
  parameters: ReadManyFilesParams,
  execute: (params, ctx) => readManyFiles(params, ctx),
};
