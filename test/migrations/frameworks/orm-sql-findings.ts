import { detectMigrations } from "../../../src/migrations/detect.js";
import type { Migration, SourceFile } from "../../../src/migrations/model.js";
import { analyzeMigrations } from "../../../src/rules/engine.js";
import { loadFixture } from "./load-fixture.js";

/** One fixture folder of ORM migrations, detected and analysed. */
export interface OrmFixture {
  files: SourceFile[];
  migrations: Migration[];
  /**
   * `rule line` for every finding in the file whose name contains `name`, sorted by line; only the
   * rules in `rules` when given (the policy rules fire on every statement and say little here).
   */
  findings(name: string, rules?: readonly string[]): string[];
  /** The help of the first finding of `rule` in that file. */
  help(name: string, rule: string): string | undefined;
  /** The generated SQL of the up sections of that file, trimmed, one entry per statement. */
  upSql(name: string): string[];
  /** Each up section of that file as `L<start>-<end> tx|no-tx`. */
  upSections(name: string): string[];
}

export function ormFixture(folder: string): OrmFixture {
  const files = loadFixture(folder);
  const migrations = detectMigrations(files);
  const result = analyzeMigrations(files, migrations);
  const migrationOf = (name: string): Migration => {
    const found = migrations.find((migration) => migration.files.some((path) => path.includes(name)));
    if (!found) throw new Error(`no migration ${name} in ${folder}`);
    return found;
  };
  return {
    files,
    migrations,
    findings: (name, rules) =>
      result.findings
        .filter((finding) => finding.path.includes(name) && (!rules || rules.includes(finding.rule)))
        .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule))
        .map((finding) => `${finding.rule} ${finding.line}`),
    help: (name, rule) => result.findings.find((finding) => finding.path.includes(name) && finding.rule === rule)?.help,
    upSql: (name) =>
      migrationOf(name)
        .sections.filter((section) => section.direction === "up")
        .flatMap((section) => (section.sql ?? "").split(/;\s*/))
        .map((sql) => sql.trim().replace(/\s+/g, " "))
        .filter((sql) => sql !== ""),
    upSections: (name) =>
      migrationOf(name)
        .sections.filter((section) => section.direction === "up")
        .map((section) => `L${section.startLine}-${section.endLine} ${section.inTransaction ? "tx" : "no-tx"}`),
  };
}
