import { beforeAll, describe, expect, it } from "vitest";
import { generatedSectionText, layOutSql } from "../../src/migrations/generated-sql.js";
import type { Migration } from "../../src/migrations/model.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { loadSqlParser } from "../../src/sql/parse.js";

describe("layOutSql", () => {
  it("starts each statement on its call's line", () => {
    const text = layOutSql([
      { line: 3, sql: "CREATE INDEX i ON t (a)" },
      { line: 5, sql: "ALTER TABLE t ADD COLUMN b int;" },
    ]);
    expect(text.split("\n")).toEqual(["", "", "CREATE INDEX i ON t (a);", "", "ALTER TABLE t ADD COLUMN b int;"]);
  });

  it("keeps raw SQL's own line breaks and continues on a line already passed", () => {
    const text = layOutSql([
      { line: 2, sql: "UPDATE t\nSET a = 1" },
      { line: 3, sql: "SELECT 1" },
      { line: 3, sql: "SELECT 2" },
    ]);
    expect(text.split("\n")).toEqual(["", "UPDATE t", "SET a = 1; SELECT 1; SELECT 2;"]);
  });
});

describe("a section with generated SQL", () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it("is analysed at the calls' lines, without SQL fixes", () => {
    const ruby = ["class AddIndex < ActiveRecord::Migration[7.1]", "  def change", "    add_index :users, :email", "  end", "end", ""].join("\n");
    const generated = generatedSectionText([{ line: 3, sql: "CREATE INDEX index_users_on_email ON users (email)" }]);
    const migration: Migration = {
      framework: "rails",
      version: "20260101000000",
      name: "add_index",
      files: ["db/migrate/20260101000000_add_index.rb"],
      folder: "db/migrate",
      sections: [
        { direction: "up", path: "db/migrate/20260101000000_add_index.rb", language: "ruby", startLine: 2, endLine: 4, inTransaction: false, ...generated },
      ],
      rollback: "optional",
      rollbackIssues: [],
    };
    const result = analyzeMigrations([{ path: migration.files[0] ?? "", text: ruby }], [migration]);
    const index = result.findings.find((f) => f.rule === "require-concurrent-index");
    expect(index).toMatchObject({ path: "db/migrate/20260101000000_add_index.rb", line: 3 });
    expect(index?.fix).toBeUndefined();
    expect(result.findings.filter((f) => f.rule === "syntax-error")).toEqual([]);
  });
});
