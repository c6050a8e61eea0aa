import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { SourceFile } from "../migrations/model.js";

/**
 * Every file of some folders of a checked-out tree (a workspace from the head tarball, or the
 * CLI's directory): the whole migration history the replay needs, not just the changed files.
 * Bounded, and symlinks are not followed.
 */

export interface FolderLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_FOLDER_LIMITS: FolderLimits = { maxFiles: 5_000, maxFileBytes: 2 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 };

export class FolderTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FolderTooLargeError";
  }
}

/** `folders` are repository-relative ("db/migrations"); "" is the root. Paths come back repository-relative with forward slashes. */
export async function readFolders(root: string, folders: readonly string[], limits: FolderLimits = DEFAULT_FOLDER_LIMITS): Promise<SourceFile[]> {
  const files = new Map<string, SourceFile>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === ".git" || entry.name === "node_modules") continue;
        await walk(full);
        continue;
      }
      if (!entry.isFile()) continue;
      const path = relative(root, full).split(sep).join("/");
      if (files.has(path)) continue;
      const size = (await lstat(full)).size;
      if (size > limits.maxFileBytes) continue;
      total += size;
      if (files.size + 1 > limits.maxFiles || total > limits.maxTotalBytes) {
        throw new FolderTooLargeError(`the migration folders hold more than ${limits.maxFiles} files or ${Math.round(limits.maxTotalBytes / 1024 / 1024)} MB`);
      }
      files.set(path, { path, text: await readFile(full, "utf8") });
    }
  };
  for (const folder of folders) await walk(folder === "" ? root : join(root, folder));
  return [...files.values()];
}
