import { expect } from "vitest";
import { AnalysisConfigSchema } from "../../src/config/analysis-config.js";
import type { FrameworkId, Migration, MigrationSection, SourceFile } from "../../src/migrations/model.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import type { Finding, Rule } from "../../src/rules/types.js";

/**
 * Table-driven rule tests: SQL in, findings (rule id and line) out. A case is one migration with
 * an up file and, optionally, a down file. Before use: `beforeAll(() => loadSqlParser())`.
 */

export interface SqlCase {
  /** The up migration. A line `-- migrate:down` splits it: what follows is the down migration. */
  sql: string;
  /** The framework runs the up (and down) in a transaction of its own. Default false. */
  inTransaction?: boolean;
  framework?: FrameworkId;
  /** Analysis config (tables, rules, …) as in .github/data-engineer.yml. */
  config?: Record<string, unknown>;
  /** Omit the down file entirely (for rollback rules). */
  noDown?: boolean;
  irreversible?: Migration["irreversible"];
}

export interface InvalidCase extends SqlCase {
  /** The lines (1-based, in the up or down text as written after the split) each finding starts on. */
  lines: number[];
}

const UP = "db/migrations/0001_case.up.sql";
const DOWN = "db/migrations/0001_case.down.sql";

function section(path: string, text: string, direction: "up" | "down", inTransaction: boolean): MigrationSection {
  return { direction, path, language: "sql", start: 0, end: text.length, startLine: 1, endLine: text.split("\n").length, inTransaction };
}

/** The files and migration for a case, as a golang-migrate pair unless it says otherwise. */
export function caseMigration(input: SqlCase | string): { files: SourceFile[]; migration: Migration } {
  const c = typeof input === "string" ? { sql: input } : input;
  const [up = "", down] = c.sql.split(/^-- migrate:down[^\n]*\n?/m);
  const files: SourceFile[] = [{ path: UP, text: up }];
  const tx = c.inTransaction ?? false;
  const sections = [section(UP, up, "up", tx)];
  if (!c.noDown) {
    const downText = down ?? "";
    files.push({ path: DOWN, text: downText });
    sections.push(section(DOWN, downText, "down", tx));
  }
  const migration: Migration = {
    framework: c.framework ?? "golang-migrate",
    version: "0001",
    name: "case",
    files: files.map((f) => f.path),
    folder: "db/migrations",
    sections,
    rollback: "required",
    rollbackIssues: [],
    ...(c.irreversible ? { irreversible: c.irreversible } : {}),
  };
  return { files, migration };
}

/** Every finding for a case with only the given rules. */
export function lint(input: SqlCase | string, rules: readonly Rule[]): Finding[] {
  const c = typeof input === "string" ? { sql: input } : input;
  const { files, migration } = caseMigration(c);
  const config = AnalysisConfigSchema.parse(c.config ?? {});
  return analyzeMigrations(files, [migration], { config, rules }).findings;
}

/** Runs a rule over valid cases (no finding of it) and invalid ones (findings on exactly these lines). */
export function testRule(rule: Rule, cases: { valid: Array<SqlCase | string>; invalid: InvalidCase[] }): void {
  for (const valid of cases.valid) {
    const findings = lint(valid, [rule]);
    expect(
      findings.filter((f) => f.rule === "syntax-error"),
      "the case must be valid SQL",
    ).toEqual([]);
    expect(
      findings.filter((f) => f.rule === rule.id).map((f) => `${f.path}:${f.line} ${f.message}`),
      typeof valid === "string" ? valid : valid.sql,
    ).toEqual([]);
  }
  for (const invalid of cases.invalid) {
    const findings = lint(invalid, [rule]);
    expect(
      findings.filter((f) => f.rule === "syntax-error"),
      "the case must be valid SQL",
    ).toEqual([]);
    expect(
      findings.filter((f) => f.rule === rule.id).map((f) => f.line),
      invalid.sql,
    ).toEqual(invalid.lines);
  }
}
