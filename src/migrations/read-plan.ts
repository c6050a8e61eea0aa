import { allFrameworks } from "./frameworks/index.js";
import type { FolderListings } from "./frameworks/support/counterparts.js";
import { dirname } from "./frameworks/support/paths.js";

export type { CounterpartFinder, FolderEntry, FolderListings } from "./frameworks/support/counterparts.js";

/**
 * Which files to read besides the changed (or named) migration files: the other files of their
 * migrations, as every framework's counterpart finder says (an up's down, a Diesel folder's
 * metadata.toml, a Flyway undo script, a sqitch revert script). The review's gather and `lint`
 * both read through this plan, so what one pairs the other pairs. Plain data in and out: the
 * caller lists the folders and reads the files (GitHub, git, or disk). A finder that does not
 * recognise a path gives nothing, so every framework is asked about every path: the plan is made
 * before detection, which needs the files it reads.
 */

/** Folders whose listing the plan needs: each file's own (its size, its neighbours) and those the frameworks ask for. */
export function foldersToList(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths) {
    folders.add(dirname(path));
    for (const framework of allFrameworks()) for (const folder of framework.counterparts.folders(path)) folders.add(folder);
  }
  return [...folders];
}

/** The paths to read: the given files and their counterparts, sorted. */
export function filesToRead(paths: readonly string[], listings: FolderListings): string[] {
  const wanted = new Set(paths);
  for (const path of paths) {
    for (const framework of allFrameworks()) for (const counterpart of framework.counterparts.files(path, listings)) wanted.add(counterpart);
  }
  return [...wanted].sort();
}
