import type { Migration, SourceFile } from "../../model.js";
import { findIrreversibleMarker } from "./irreversible.js";

export type MigrationFields = Omit<Migration, "irreversible" | "rollbackIssues"> & Partial<Pick<Migration, "rollbackIssues">>;

/** A migration whose `irreversible` acknowledgement is looked up in its own files. */
export function buildMigration(fields: MigrationFields, allFiles: readonly SourceFile[]): Migration {
  const own = fields.files.flatMap((path) => allFiles.filter((file) => file.path === path));
  const irreversible = findIrreversibleMarker(own);
  const migration: Migration = { ...fields, rollbackIssues: fields.rollbackIssues ?? [] };
  if (irreversible) migration.irreversible = irreversible;
  return migration;
}

/** `<version><separator><name>` file names: "000001_create_users" → ["000001", "create_users"]. */
export function splitVersionAndName(stem: string, pattern = /^(\d+)[_-](.+)$/): { version: string; name: string } {
  const match = pattern.exec(stem);
  if (!match) return { version: stem, name: stem };
  return { version: match[1] ?? stem, name: match[2] ?? stem };
}
