import type { Migration, MigrationSection, SourceFile } from "../../../src/migrations/model.js";

/** A section as `direction path L<start>-<end> tx|no-tx`, for compact assertions. */
export function describeSection(section: MigrationSection): string {
  return `${section.direction} ${section.path} L${section.startLine}-${section.endLine} ${section.inTransaction ? "tx" : "no-tx"}`;
}

export function describeSections(migration: Migration | undefined): string[] {
  return (migration?.sections ?? []).map(describeSection);
}

/** Issues as `kind line: detail`. */
export function describeIssues(migration: Migration | undefined): string[] {
  return (migration?.rollbackIssues ?? []).map((issue) => `${issue.kind} ${issue.line}: ${issue.detail}`);
}

/** The text a section covers. */
export function sectionText(files: readonly SourceFile[], section: MigrationSection | undefined): string {
  const file = files.find((candidate) => candidate.path === section?.path);
  if (!file || !section) throw new Error(`no file for section ${section?.path ?? "(none)"}`);
  return file.text.slice(section.start, section.end);
}

export function byVersion(migrations: readonly Migration[], version: string): Migration {
  const found = migrations.find((migration) => migration.version === version);
  if (!found) throw new Error(`no migration ${version} among ${migrations.map((m) => m.version).join(", ")}`);
  return found;
}
