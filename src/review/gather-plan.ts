/**
 * Which files of the head commit the analysis needs besides the changed migrations themselves: the
 * other half of an up/down pair, a Diesel folder's metadata.toml, a Flyway undo script, a sqitch
 * revert script. Decided from folder listings; plain data in and out.
 */

export interface FolderEntry {
  name: string;
  path: string;
  size: number;
  type: "file" | "dir" | "symlink" | "submodule";
}

/** Files larger than this are not read (no migration is this big); they are listed as not reviewed. */
export const MAX_REVIEWED_FILE_BYTES = 1024 * 1024;

/** Names whose whole folder is one migration (Diesel, Prisma, sqlx folders). */
const FOLDER_MIGRATION_FILES = new Set(["up.sql", "down.sql", "metadata.toml", "migration.sql"]);

export function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The part of a file name that names its migration: "000003_index_orders" for "000003_index_orders.up.sql". */
function stem(name: string): string {
  const dot = name.indexOf(".");
  return dot === -1 ? name : name.slice(0, dot);
}

/** Folders whose listing the plan needs, for the changed migration files given. */
export function foldersToList(changed: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of changed) {
    const folder = folderOf(path);
    folders.add(folder);
    if (/(^|\/)deploy$/.test(folder)) folders.add(folder.replace(/deploy$/, "revert"));
  }
  return [...folders];
}

/** The paths to read at the head commit: the changed files and their counterparts. */
export function filesToRead(changed: readonly string[], listings: ReadonlyMap<string, readonly FolderEntry[]>): string[] {
  const wanted = new Set(changed);
  for (const path of changed) {
    const name = baseName(path);
    const folder = folderOf(path);
    const entries = (listings.get(folder) ?? []).filter((e) => e.type === "file");
    if (FOLDER_MIGRATION_FILES.has(name)) {
      for (const entry of entries) wanted.add(entry.path);
      continue;
    }
    const own = stem(name);
    for (const entry of entries) if (stem(entry.name) === own) wanted.add(entry.path);
    const flyway = /^V(\d[\w.]*?)__/.exec(name);
    if (flyway) for (const entry of entries) if (entry.name.startsWith(`U${flyway[1]}__`)) wanted.add(entry.path);
    if (/(^|\/)deploy$/.test(folder)) {
      const revert = `${folder.replace(/deploy$/, "revert")}/${name}`;
      if (listings.get(folderOf(revert))?.some((e) => e.path === revert)) wanted.add(revert);
    }
  }
  return [...wanted].sort();
}
