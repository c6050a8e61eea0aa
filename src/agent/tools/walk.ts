import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { deniedEntry, resolveInWorkspace } from "./confine.js";
import type { IgnoreRules } from "./ignore-rules.js";
import { MAX_WALK_FILES } from "./limits.js";

export interface WalkedFile {
  /** Workspace-relative posix path. */
  relative: string;
  /** Path on disk to open (for a symbolic link, where it leads inside the workspace). */
  absolute: string;
}

export interface WalkOutcome {
  /** Regular files found, in walk order (each folder's entries by name). */
  files: WalkedFile[];
  /** Entries not visited because DENIED_PATHS refuses them or a symbolic link leads out of the workspace. */
  refused: number;
  /** The walk stopped at MAX_WALK_FILES entries: there may be more files. */
  truncated: boolean;
}

/** Joins a workspace-relative posix folder ("." for the root) and a name. */
export function joinRelative(folder: string, name: string): string {
  return folder === "." || folder === "" ? name : `${folder}/${name}`;
}

/** Code-unit order, which is stable whatever the locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function entriesOf(folder: string): Promise<Dirent[] | undefined> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries.sort((a, b) => comparePaths(a.name, b.name));
  } catch {
    return undefined; // unreadable folder: nothing to list
  }
}

/**
 * Lists the regular files under a folder of the workspace, which must come from
 * resolveInWorkspace. Never follows symbolic links to folders; a symbolic link to a file is
 * listed only when it resolves inside the workspace to a path that is not refused. Refused
 * folders (.git, node_modules, secrets…) are not entered. Stops after MAX_WALK_FILES entries.
 */
export async function walkFiles(
  root: string,
  start: { absolute: string; relative: string },
  options: { signal: AbortSignal; recursive?: boolean; maxEntries?: number; ignore?: IgnoreRules },
): Promise<WalkOutcome> {
  const recursive = options.recursive ?? true;
  const maxEntries = options.maxEntries ?? MAX_WALK_FILES;
  const files: WalkedFile[] = [];
  let refused = 0;
  let visited = 0;
  const stack: { absolute: string; relative: string }[] = [start];

  while (stack.length > 0) {
    options.signal.throwIfAborted();
    const folder = stack.pop();
    if (folder === undefined) break;
    const entries = await entriesOf(folder.absolute);
    if (entries === undefined) continue;
    const subfolders: { absolute: string; relative: string }[] = [];
    const ignore = options.ignore;
    if (ignore?.active === true && entries.some((e) => e.name === ".gitignore" && e.isFile())) await ignore.addGitignore(folder.relative);
    for (const entry of entries) {
      if (visited >= maxEntries) return { files, refused, truncated: true };
      visited++;
      const relative = joinRelative(folder.relative, entry.name);
      if (deniedEntry(relative) !== undefined) {
        refused++;
        continue;
      }
      if (ignore?.active === true && ignore.ignores(relative, entry.isDirectory())) continue;
      const absolute = path.join(folder.absolute, entry.name);
      if (entry.isDirectory()) {
        if (recursive) subfolders.push({ absolute, relative });
      } else if (entry.isFile()) {
        files.push({ relative, absolute });
      } else if (entry.isSymbolicLink()) {
        const confined = await resolveInWorkspace(root, relative);
        if (!confined.ok) {
          refused++;
          continue;
        }
        const target = await stat(confined.absolute).catch(() => undefined);
        if (target?.isFile() === true) files.push({ relative, absolute: confined.absolute });
      }
    }
    // Depth first, each folder's entries in name order.
    stack.push(...subfolders.reverse());
  }
  return { files, refused, truncated: false };
}
