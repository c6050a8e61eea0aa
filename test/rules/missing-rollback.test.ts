import { describe, expect, it } from "vitest";
import type { Migration } from "../../src/migrations/model.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import rule from "../../src/rules/missing-rollback.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration, lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

function run(migration: Migration, files = caseMigration({ sql: "CREATE TABLE items (id bigint);", noDown: true }).files) {
  return analyzeMigrations(files, [migration], { rules: [rule] }).findings;
}

describe(rule.id, () => {
  it("flags a migration with no down where the framework runs one", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE items (id bigint);\n-- migrate:down\nDROP TABLE items;",
        // An empty down is empty-rollback's finding, not this one.
        "CREATE TABLE items (id bigint);",
      ],
      invalid: [
        { sql: "CREATE TABLE items (id bigint);", noDown: true, lines: [1] },
        { sql: "\n\nALTER TABLE orders ADD COLUMN note text;", noDown: true, framework: "diesel", lines: [1] },
      ],
    });
  });

  it("reports an acknowledged irreversible migration as a note", () => {
    const findings = lint(
      { sql: "DROP TABLE legacy;", noDown: true, irreversible: { reason: "legacy data is archived", path: "db/migrations/0001_case.up.sql", line: 1 } },
      [rule],
    );
    expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([[rule.id, "note", 1]]);
    expect(findings[0]?.message).toContain("legacy data is archived");
  });

  it("reports nothing where the framework has no downs or makes them optional", () => {
    const { migration } = caseMigration({ sql: "CREATE TABLE items (id bigint);", noDown: true, framework: "prisma" });
    expect(run({ ...migration, rollback: "unsupported" })).toEqual([]);
    expect(run({ ...migration, framework: "goose", rollback: "optional" })).toEqual([]);
  });

  it("passes on the ORM detector's missing-down issues", () => {
    const files = [
      {
        path: "db/migrate/20260101000000_add_note.rb",
        text: "class AddNote < ActiveRecord::Migration[7.1]\n  def up\n    execute 'ALTER TABLE orders ADD COLUMN note text'\n  end\nend\n",
      },
    ];
    const migration: Migration = {
      framework: "rails",
      version: "20260101000000",
      name: "add_note",
      files: files.map((f) => f.path),
      folder: "db/migrate",
      sections: [{ direction: "up", path: files[0]?.path ?? "", language: "ruby", start: 0, end: 10, startLine: 2, endLine: 4, inTransaction: true }],
      rollback: "required",
      rollbackIssues: [{ kind: "missing-down", path: files[0]?.path ?? "", line: 2, detail: "def up without def down" }],
    };
    const findings = run(migration, files);
    expect(findings.map((f) => [f.rule, f.line, f.severity])).toEqual([[rule.id, 2, "warning"]]);
    // A Ruby migration without a down section is not "missing" by itself (`def change` reverses).
    expect(run({ ...migration, rollbackIssues: [] }, files)).toEqual([]);
  });
});
