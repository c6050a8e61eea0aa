import type { FrameworkId, Migration, MigrationSection, SourceFile } from "../../model.js";
import { type CounterpartFinder, sameFolder } from "./counterparts.js";
import { buildMigration } from "./migration.js";
import { basename, dirname } from "./paths.js";
import { wholeFileSection } from "./sections.js";
import { sortMigrations } from "./versions.js";

/** `<version>_<title>.up.sql` / `.down.sql` (golang-migrate, reversible sqlx). */
const PAIRED_FILE = /^(\d+)_(.+)\.(up|down)\.sql$/i;

export function isPairedUpDownFile(path: string): boolean {
  return PAIRED_FILE.test(basename(path));
}

/** An up file's down and a down file's up: same version and title, the other direction. */
export const PAIRED_FILE_COUNTERPARTS: CounterpartFinder = sameFolder((changed) => {
  const [, version, title, direction] = PAIRED_FILE.exec(changed) ?? [];
  if (version === undefined || direction === undefined) return undefined;
  // Only a name that starts with the same version can be the pair: the others are not parsed.
  return (listed) => {
    if (!listed.startsWith(version)) return false;
    const other = PAIRED_FILE.exec(listed);
    return other !== null && other[1] === version && other[2] === title && other[3]?.toLowerCase() !== direction.toLowerCase();
  };
});

interface Pair {
  folder: string;
  version: string;
  name: string;
  up?: SourceFile;
  down?: SourceFile;
}

/**
 * One migration per version and title in a folder, the up file then the down file, each whole
 * file a section. A version without a down file has no down section.
 */
export function pairedUpDownMigrations(
  files: readonly SourceFile[],
  framework: FrameworkId,
  inTransaction: (file: SourceFile) => boolean,
): { migrations: Migration[]; claimed: string[] } {
  const pairs = new Map<string, Pair>();
  const claimed: string[] = [];
  for (const file of files) {
    const match = PAIRED_FILE.exec(basename(file.path));
    if (!match) continue;
    const [, version = "", name = "", direction = ""] = match;
    const folder = dirname(file.path);
    const key = `${folder}\u0000${version}\u0000${name}`;
    const pair = pairs.get(key) ?? { folder, version, name };
    if (direction.toLowerCase() === "up") pair.up = file;
    else pair.down = file;
    pairs.set(key, pair);
    claimed.push(file.path);
  }
  const migrations = [...pairs.values()].map((pair) => {
    const sections: MigrationSection[] = [];
    const own: SourceFile[] = [];
    if (pair.up) {
      own.push(pair.up);
      sections.push(wholeFileSection(pair.up, { direction: "up", language: "sql", inTransaction: inTransaction(pair.up) }));
    }
    if (pair.down) {
      own.push(pair.down);
      sections.push(wholeFileSection(pair.down, { direction: "down", language: "sql", inTransaction: inTransaction(pair.down) }));
    }
    return buildMigration(
      {
        framework,
        version: pair.version,
        name: pair.name,
        files: own.map((file) => file.path),
        folder: pair.folder,
        sections,
        rollback: "required",
      },
      own,
    );
  });
  return { migrations: sortMigrations(migrations), claimed };
}
