import type { MigrationSection, SectionLanguage, SourceFile } from "../model.js";
import { buildMigration } from "./support/migration.js";
import { basename, dirname } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import type { Framework } from "./framework.js";
import { sameFolder } from "./support/counterparts.js";

/**
 * `V<version>__<description>` (versioned), `U<version>__` (undo), `B<version>__` (baseline) and
 * `R__<description>` (repeatable), in SQL or as Java migrations.
 */
const FLYWAY_FILE = /^(?:([VUB])(\d+(?:[._]\d+)*)|(R))__(.+)\.(sql|java)$/;

/**
 * A versioned script's undo script (`U<version>__…`, same version) and its script config file
 * (`<script>.conf`, where `executeInTransaction=false` goes).
 */
const UNDO_SCRIPT = sameFolder((changed) => {
  const version = /^V(\d[\w.]*?)__/.exec(changed)?.[1];
  return (listed) => listed === `${changed}.conf` || (version !== undefined && listed.startsWith(`U${version}__`));
});

interface FlywayEntry {
  folder: string;
  version: string;
  name: string;
  up?: SourceFile;
  undo?: SourceFile;
  upLanguage: SectionLanguage;
}

/**
 * Flyway: each versioned file is a migration (applied in a transaction); an undo file with the
 * same version in the same folder is its down section. Undo is a paid Flyway feature, so the
 * rollback is "optional". Repeatables are versioned `R__<description>` (after every number).
 * Java migrations are one up section over the whole class.
 */
export const flywayFramework: Framework<"flyway"> = {
  id: "flyway",
  paths: ["**/*.sql", "**/migration/**"],
  counterparts: UNDO_SCRIPT,
  transaction: { wraps: true, optOut: null },
  texts: {
    addDown: "Add the matching `U<version>__<description>.sql` undo script",
    leaveTransaction: "in Flyway, add a script config file (`<script>.sql.conf`) with `executeInTransaction=false`",
    concurrentIndex:
      "Use CREATE INDEX CONCURRENTLY, in a script of its own with a script config file beside it (`<script>.sql.conf`) that says `executeInTransaction=false`: Flyway otherwise runs the script in a transaction, where CONCURRENTLY is refused.",
  },
  detect(files) {
    const entries = new Map<string, FlywayEntry>();
    const claimed: string[] = [];
    for (const file of files) {
      const match = FLYWAY_FILE.exec(basename(file.path));
      if (!match) continue;
      const [, prefix = "R", number = "", , description = "", extension = "sql"] = match;
      if (prefix === "U" && extension !== "sql") continue;
      const folder = dirname(file.path);
      const version = prefix === "R" ? `R__${description}` : number;
      const key = `${folder}\u0000${version}`;
      const entry = entries.get(key) ?? { folder, version, name: description, upLanguage: "sql" };
      if (prefix === "U") entry.undo = file;
      else {
        entry.up = file;
        entry.name = description;
        entry.upLanguage = extension === "java" ? "java" : "sql";
      }
      entries.set(key, entry);
      claimed.push(file.path);
    }
    const migrations = [...entries.values()].map((entry) => {
      const sections: MigrationSection[] = [];
      if (entry.up) sections.push(wholeFileSection(entry.up, { direction: "up", language: entry.upLanguage, inTransaction: true }));
      if (entry.undo) sections.push(wholeFileSection(entry.undo, { direction: "down", language: "sql", inTransaction: true }));
      const own = [entry.up, entry.undo].filter((file): file is SourceFile => file !== undefined);
      return buildMigration(
        {
          framework: "flyway",
          version: entry.version,
          name: entry.name,
          files: own.map((file) => file.path),
          folder: entry.folder,
          sections,
          rollback: "optional",
        },
        own,
      );
    });
    return { migrations: sortMigrations(migrations), claimed };
  },
};
