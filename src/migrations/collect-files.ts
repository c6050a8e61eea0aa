import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import type { SourceFile } from "./model.js";
import { filesToRead, foldersToList, type FolderEntry } from "./read-plan.js";

/**
 * Reads what `data-engineer lint` is pointed at: files as given, folders recursively. A single
 * file brings its folder's other files along (to pair an up with its down, and to order
 * migrations); every named file also brings its counterparts, found by the same plan the review
 * reads a pull request's head with (a sqitch revert script sits in another folder);
 * `targets` then limits the report to what was named.
 */

// Synchronous reads: lint reads hundreds of small files one after another, and each read of
// node:fs/promises costs several thread-pool round trips (168 ms CPU for Lemmy's 684 files,
// against 7 ms read synchronously).
const stat = (path: string) => statSync(path);
const readFile = (path: string, encoding: "utf8") => readFileSync(path, encoding);
const readdir = (path: string, options: { withFileTypes: true }) => readdirSync(path, options);
/** A folder's entries, or none when it does not exist. */
const readdirOrNone = (path: string) => {
  try {
    return readdir(path, { withFileTypes: true });
  } catch {
    return [];
  }
};

/** Larger files are skipped with a note: no migration is this big, and parsing it would take memory for nothing. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Folders never walked into. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "vendor", "target", "dist", "build", ".venv", "__pycache__"]);
/** What detectors read: SQL, ORM migration code, and framework metadata. */
const READ_EXTENSIONS = /\.(sql|rb|py|js|mjs|cjs|ts|php|exs|ex|cs|java|kt|toml|plan|json|xml|ya?ml)$/i;

export interface CollectedFiles {
  files: SourceFile[];
  /** Paths (as in `files`) the user named, or every file under a named folder. */
  targets: Set<string>;
  /** Files left out, with why. */
  skipped: Array<{ path: string; reason: string }>;
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** The files under `paths`; a promise, as the callers read it (the reads themselves are synchronous). */
export function collectFiles(paths: readonly string[], cwd: string): Promise<CollectedFiles> {
  try {
    return Promise.resolve(collectFilesNow(paths, cwd));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function collectFilesNow(paths: readonly string[], cwd: string): CollectedFiles {
  const read = new Map<string, SourceFile>();
  const targets = new Set<string>();
  const skipped: CollectedFiles["skipped"] = [];
  const attempted = new Set<string>();
  /** Files named one by one (not found by walking a folder): only these need the read plan. */
  const named = new Set<string>();
  /** Folders walked whole (relative to `cwd`): every file in them is read already. */
  const walked = new Set<string>();

  function readOne(absolute: string, asTarget: boolean): void {
    const path = toPosix(relative(cwd, absolute));
    if (asTarget) targets.add(path);
    attempted.add(path);
    if (read.has(path)) return;
    const info = stat(absolute);
    if (info.size > MAX_FILE_BYTES) {
      skipped.push({ path, reason: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` });
      return;
    }
    const text = readFile(absolute, "utf8");
    if (text.includes("\u0000")) {
      skipped.push({ path, reason: "binary file" });
      return;
    }
    read.set(path, { path, text });
  }

  function walk(dir: string, asTarget: boolean): void {
    walked.add(toPosix(relative(cwd, dir)));
    const entries = readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(full, asTarget);
      } else if (entry.isFile() && READ_EXTENSIONS.test(entry.name)) {
        readOne(full, asTarget);
      }
    }
  }

  /** The files lint reads in one folder (not its subfolders), when it exists. */
  function readFolderFiles(folder: string): void {
    const absolute = join(cwd, folder);
    const entries = readdirOrNone(absolute);
    for (const entry of entries) if (entry.isFile() && READ_EXTENSIONS.test(entry.name)) readOne(join(absolute, entry.name), false);
  }

  /** The folder's entries on disk, as the read plan expects them (paths relative to `cwd`). */
  function listFolder(folder: string): FolderEntry[] {
    const absolute = join(cwd, folder);
    const entries = readdirOrNone(absolute);
    return entries.map((entry) => ({
      name: entry.name,
      path: toPosix(relative(cwd, join(absolute, entry.name))),
      size: entry.isFile() ? stat(join(absolute, entry.name)).size : 0,
      type: entry.isDirectory() ? ("dir" as const) : entry.isSymbolicLink() ? ("symlink" as const) : ("file" as const),
    }));
  }

  for (const given of paths) {
    const full = isAbsolute(given) ? given : join(cwd, given);
    let info;
    try {
      info = stat(full);
    } catch {
      info = undefined;
    }
    if (!info) throw new Error(`${given}: no such file or folder`);
    if (info.isDirectory()) {
      walk(full, true);
    } else {
      readOne(full, true);
      named.add(toPosix(relative(cwd, full)));
      // Siblings (and, for Diesel-style folders, the parent's) complete the migration: its down, its metadata.
      const folder = dirname(full);
      for (const entry of readdir(folder, { withFileTypes: true })) {
        if (entry.isFile() && READ_EXTENSIONS.test(entry.name)) readOne(join(folder, entry.name), false);
      }
    }
  }
  // A walked folder's files are all read; the frameworks may still ask for a folder beside it
  // (sqitch's revert/ beside deploy/), which is read whole. Asking every finder about every file
  // of a large folder instead costs time quadratic in its size (15 s on 3,483 files).
  for (const folder of foldersToList([...targets].filter((path) => !named.has(path)))) {
    if (!walked.has(folder)) readFolderFiles(folder);
  }
  // Files named one by one get exactly their counterparts, as the review's gather reads them.
  const listings = new Map<string, FolderEntry[]>();
  for (const folder of foldersToList([...named])) listings.set(folder, listFolder(folder));
  for (const path of filesToRead([...named], listings)) if (!attempted.has(path)) readOne(join(cwd, path), false);
  return { files: [...read.values()], targets, skipped };
}
