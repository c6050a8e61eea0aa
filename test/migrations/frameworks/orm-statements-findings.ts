import { detectMigrations } from "../../../src/migrations/detect.js";
import type { Migration, SourceFile } from "../../../src/migrations/model.js";
import { analyzeMigrations } from "../../../src/rules/engine.js";
import type { Finding } from "../../../src/rules/types.js";
import { loadFixture } from "./load-fixture.js";

/** The ORM fixtures of the generated-SQL tests: their migrations and what lint finds in them. */
export function ormFixture(folder: string): { files: SourceFile[]; migrations: Migration[]; findings: Finding[] } {
  const files = loadFixture(`orm-statements/${folder}`);
  const migrations = detectMigrations(files);
  return { files, migrations, findings: analyzeMigrations(files, migrations).findings };
}

/**
 * `rule@line` of the findings on the file whose name contains `name`, in line order; with
 * `risks`, only warnings and errors other than require-lock-timeout (which any lock reports).
 */
export function findingsIn(findings: readonly Finding[], name: string, risks = false): string[] {
  return findings
    .filter((finding) => finding.path.includes(name))
    .filter((finding) => !risks || (finding.severity !== "note" && finding.rule !== "require-lock-timeout"))
    .sort((a, b) => a.line - b.line || (a.rule < b.rule ? -1 : 1))
    .map((finding) => `${finding.rule}@${finding.line}`);
}

/** The generated SQL of a migration's up section, line by line (`line: statement`), blank lines left out. */
export function generatedLines(migration: Migration | undefined): string[] {
  const sql = migration?.sections.find((section) => section.direction === "up")?.sql ?? "";
  return sql
    .split("\n")
    .map((text, index) => `${index + 1}: ${text}`)
    .filter((line) => !/^\d+: $/.test(line));
}
