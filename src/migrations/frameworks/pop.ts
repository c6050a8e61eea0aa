import type { Migration, MigrationSection, SourceFile } from "../model.js";
import { type CounterpartFinder, sameFolder } from "./support/counterparts.js";
import { buildMigration } from "./support/migration.js";
import { basename, dirname } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { compareVersions, sortMigrations } from "./support/versions.js";
import type { DetectContext, DetectionResult } from "./detector.js";
import type { Framework } from "./framework.js";

/**
 * `<version>_<name>[.<dialect>][.autocommit].<up|down>.<sql|fizz>`: gobuffalo/pop's file names,
 * with ory/x popx's `.autocommit` infix. The dialect is one word; a file without one serves every
 * dialect.
 */
const POP_FILE = /^(\d+)_([^.]+)(?:\.([a-z0-9]+))?(?:\.(autocommit))?\.(up|down)\.(sql|fizz)$/i;

/** pop's names for Postgres (pop normalises these synonyms to "postgres"). */
const POSTGRES = new Set(["postgres", "postgresql", "pg", "pgx"]);

/** Infixes that only pop writes: a folder holding one of them is pop's, not golang-migrate's. */
const POP_DIALECTS = new Set([...POSTGRES, "mysql", "mariadb", "sqlite", "sqlite3", "cockroach", "cockroachdb", "crdb"]);

/** fizz versions: a 14-digit timestamp and a 6-digit sequence, one change written as several files. */
const GROUPED_VERSION = /^\d{20}$/;

interface PopFile {
  file: SourceFile;
  folder: string;
  version: string;
  name: string;
  /** Lower case; undefined for a file that serves every dialect. */
  dialect: string | undefined;
  autocommit: boolean;
  direction: "up" | "down";
  fizz: boolean;
}

function parsePopName(path: string): Omit<PopFile, "file" | "folder"> | undefined {
  const match = POP_FILE.exec(basename(path));
  if (!match) return undefined;
  const [, version = "", name = "", infix, autocommit, direction = "", extension = ""] = match;
  // `x.autocommit.up.sql`: the one infix is popx's flag, not a dialect.
  const flagOnly = infix?.toLowerCase() === "autocommit" && autocommit === undefined;
  return {
    version,
    name,
    dialect: flagOnly ? undefined : infix?.toLowerCase(),
    autocommit: flagOnly || autocommit !== undefined,
    direction: direction.toLowerCase() === "up" ? "up" : "down",
    fizz: extension.toLowerCase() === "fizz",
  };
}

/** The change a version belongs to: fizz numbers the files of one change `…000000`, `…000001`, … */
function groupKey(file: Pick<PopFile, "folder" | "version" | "name">): string {
  const stamp = GROUPED_VERSION.test(file.version) ? file.version.slice(0, 14) : file.version;
  return `${file.folder}\u0000${stamp}\u0000${file.name}`;
}

/** Whether a file without these hints could be golang-migrate's: pop claims folders that show its own. */
function looksLikePop(file: PopFile): boolean {
  return file.fizz || file.autocommit || GROUPED_VERSION.test(file.version) || (file.dialect !== undefined && POP_DIALECTS.has(file.dialect));
}

/**
 * For one version and direction, the file pop runs on Postgres: the Postgres file wins over one
 * without a dialect; another dialect's file is never run.
 */
function forPostgres(candidates: readonly PopFile[], dialect: string | undefined): PopFile | undefined {
  const own = (file: PopFile) => file.dialect !== undefined && (dialect === undefined ? POSTGRES.has(file.dialect) : file.dialect === dialect);
  return candidates.find(own) ?? candidates.find((file) => file.dialect === undefined);
}

const isBlank = (file: PopFile): boolean => file.file.text.trim() === "";

/**
 * One version group as one migration: the ups in version order, the downs in reverse (pop rolls
 * a group back newest first). A blank down file runs nothing; beside a down that does something
 * it is not a rollback gap (fizz writes one per version, the group's real down is elsewhere), so
 * it is listed among the files but given no section. When every down is blank, the first one pop
 * runs stands for the group.
 */
function groupMigration(group: readonly PopFile[], files: readonly SourceFile[], dialect?: string): Migration | undefined {
  const byVersion = new Map<string, PopFile[]>();
  for (const file of group) byVersion.set(file.version, [...(byVersion.get(file.version) ?? []), file]);
  const versions = [...byVersion.keys()].sort(compareVersions);
  const ups: PopFile[] = [];
  const downs: PopFile[] = [];
  for (const version of versions) {
    const own = byVersion.get(version) ?? [];
    const up = forPostgres(
      own.filter((file) => file.direction === "up"),
      dialect,
    );
    const down = forPostgres(
      own.filter((file) => file.direction === "down"),
      dialect,
    );
    if (up) ups.push(up);
    if (down) downs.unshift(down);
  }
  const chosen = [...ups, ...downs];
  // fizz is pop's own DSL, not SQL: a group written in it is not read (see the framework's note).
  if (chosen.length === 0 || chosen.some((file) => file.fizz)) return undefined;
  const acting = downs.filter((file) => !isBlank(file));
  // Every down blank: the group's rollback does nothing, said once, on the down pop runs first.
  const sectionDowns = acting.length > 0 ? acting : downs.slice(0, 1);
  const sections: MigrationSection[] = [
    ...ups.map((file) => wholeFileSection(file.file, { direction: "up", language: "sql", inTransaction: !file.autocommit })),
    ...sectionDowns.map((file) => wholeFileSection(file.file, { direction: "down", language: "sql", inTransaction: !file.autocommit })),
  ];
  const first = ups[0] ?? downs[downs.length - 1] ?? chosen[0];
  if (!first) return undefined;
  return buildMigration(
    {
      framework: "pop",
      version: first.version,
      name: first.name,
      files: chosen.map((file) => file.file.path),
      folder: first.folder,
      sections,
      rollback: "required",
    },
    files,
  );
}

function detectPop(files: readonly SourceFile[], context?: DetectContext): DetectionResult {
  const parsed: PopFile[] = [];
  for (const file of files) {
    const name = parsePopName(file.path);
    if (name) parsed.push({ ...name, file, folder: dirname(file.path) });
  }
  const popFolders = new Set(parsed.filter(looksLikePop).map((file) => file.folder));
  const mine = context?.forced === true ? parsed : parsed.filter((file) => popFolders.has(file.folder));
  const groups = new Map<string, PopFile[]>();
  for (const file of mine) groups.set(groupKey(file), [...(groups.get(groupKey(file)) ?? []), file]);
  const migrations = [...groups.values()].flatMap((group) => {
    // A dialect the configuration reviews as PostgreSQL (the files reached pop past the dialect
    // filter) is its own run of the group, as pop would run it on that database.
    const configured = context?.dialectsFiltered
      ? [...new Set(group.flatMap((file) => (file.dialect !== undefined && !POSTGRES.has(file.dialect) ? [file.dialect] : [])))]
      : [];
    return [groupMigration(group, files), ...configured.map((dialect) => groupMigration(group, files, dialect))].flatMap((m) => m ?? []);
  });
  return { migrations: sortMigrations(migrations), claimed: mine.map((file) => file.file.path) };
}

/** The other files of a changed file's version group, every dialect (the detector needs them to see a pop folder). */
const POP_COUNTERPARTS: CounterpartFinder = sameFolder((changed) => {
  const a = parsePopName(changed);
  if (a === undefined) return undefined;
  const key = groupKey({ folder: "", ...a });
  // A file of the same group has the same name after its version: the others are not parsed.
  return (listed) => {
    if (!listed.includes(`_${a.name}.`)) return false;
    const b = parsePopName(listed);
    return b !== undefined && groupKey({ folder: "", ...b }) === key;
  };
});

/**
 * gobuffalo/pop (and ory/x popx on top of it, as Ory Kratos uses): one migration per version
 * group, read for Postgres. pop runs each migration file in a transaction of its own; popx runs a
 * file named `.autocommit.` outside one (Kratos puts each CREATE INDEX CONCURRENTLY alone in such a
 * file, the only place CONCURRENTLY appears in its 3,483 files). Files of other dialects are
 * claimed and not read; `.fizz` files (pop's DSL, not SQL) are claimed and not read either.
 */
export const popFramework: Framework<"pop"> = {
  id: "pop",
  paths: ["**/*.sql", "**/*.fizz", "**/migrations/**"],
  counterparts: POP_COUNTERPARTS,
  transaction: { wraps: true, optOut: ".autocommit." },
  texts: {
    addDown: "Add the matching `.postgres.down.sql` file (or a `.down.sql` for every dialect)",
    leaveTransaction: "pop runs each file in a transaction; with ory/x popx, name the file `<version>_<name>.postgres.autocommit.up.sql` to run it outside one",
    concurrentIndex:
      "Use CREATE INDEX CONCURRENTLY alone in a file that runs outside a transaction: pop wraps every file in one, ory/x popx does not wrap a file named `<version>_<name>.postgres.autocommit.up.sql`.",
  },
  detect: detectPop,
};
