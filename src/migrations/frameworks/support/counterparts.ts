import { basename, dirname } from "./paths.js";

/**
 * Counterparts: the other files of the migration a changed file belongs to (its down, its
 * metadata), found from folder listings before any file is read. The review reads the head commit
 * this way (GitHub lists folders, then reads files) and `lint` does the same on disk, so a
 * framework that finds its down for one finds it for the other.
 */

/** One entry of a folder listing at the head commit (GitHub contents API, `git ls-tree`, or disk). */
export interface FolderEntry {
  name: string;
  path: string;
  size: number;
  type: "file" | "dir" | "symlink" | "submodule";
}

/** Folder → its entries, for the folders a plan asked for. */
export type FolderListings = ReadonlyMap<string, readonly FolderEntry[]>;

export interface CounterpartFinder {
  /** Folders to list for `path`, besides its own (always listed): sqitch's `revert/` beside `deploy/`. */
  folders(path: string): string[];
  /** The other files of `path`'s migration, from the listings; none when `path` is not this framework's. */
  files(path: string, listings: FolderListings): string[];
}

/** The files (not folders) listed in `folder`. */
export function listedFiles(listings: FolderListings, folder: string): FolderEntry[] {
  return (listings.get(folder) ?? []).filter((entry) => entry.type === "file");
}

/** Frameworks whose migration is one file (its down, if any, inside it): nothing else to read. */
export const NO_COUNTERPARTS: CounterpartFinder = {
  folders: () => [],
  files: () => [],
};

/** The finder of a framework whose migration is a folder: any of `names` brings the whole folder. */
export function wholeFolder(names: ReadonlySet<string>): CounterpartFinder {
  return {
    folders: () => [],
    files(path, listings) {
      if (!names.has(basename(path))) return [];
      return listedFiles(listings, dirname(path)).map((entry) => entry.path);
    },
  };
}

/**
 * The finder of a framework whose counterparts sit in the same folder, named after the changed
 * file. `matcherFor` reads the changed file's name once and gives the test of each listed name (or
 * undefined: a name of no migration of this framework, no counterparts): a folder of 600 files is
 * asked about once per changed file and framework, so the changed name is not parsed 600 times.
 */
export function sameFolder(matcherFor: (changedName: string) => ((listedName: string) => boolean) | undefined): CounterpartFinder {
  return {
    folders: () => [],
    files(path, listings) {
      const name = basename(path);
      const matches = matcherFor(name);
      if (!matches) return [];
      return listedFiles(listings, dirname(path))
        .filter((entry) => entry.name !== name && matches(entry.name))
        .map((entry) => entry.path);
    },
  };
}

/** Every counterpart any of the finders gives. */
export function eachOf(...finders: readonly CounterpartFinder[]): CounterpartFinder {
  return {
    folders: (path) => finders.flatMap((finder) => finder.folders(path)),
    files: (path, listings) => finders.flatMap((finder) => finder.files(path, listings)),
  };
}
