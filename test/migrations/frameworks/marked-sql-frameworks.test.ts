import { describe, expect, it } from "vitest";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { liquibaseRollbackSql } from "../../../src/migrations/frameworks/liquibase.js";
import { downSections, upSections } from "../../../src/migrations/model.js";
import { loadFixture } from "./load-fixture.js";
import { byVersion, describeSections, sectionText } from "./summaries.js";

describe("dbmate", () => {
  const files = loadFixture("frameworks/dbmate");
  const migrations = detectMigrations(files);
  const file = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("splits each file at -- migrate:up / -- migrate:down, bodies without the marker lines", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.rollback])).toEqual([
      ["dbmate", "20260101000000", "create_orders", "required"],
      ["dbmate", "20260102000000", "index_orders", "required"],
      ["dbmate", "20260103000000", "no_down", "required"],
      ["dbmate", "20260104000000", "empty_down", "required"],
    ]);
    const create = byVersion(migrations, "20260101000000");
    expect(describeSections(create)).toEqual([`up ${file("20260101000000")} L2-5 tx`, `down ${file("20260101000000")} L7-7 tx`]);
    expect(sectionText(files, create.sections[0])).toBe("CREATE TABLE orders (\n  id bigserial PRIMARY KEY\n);\n\n");
    expect(sectionText(files, create.sections[1])).toBe("DROP TABLE orders;\n");
  });

  it("runs a section outside a transaction when its marker says transaction:false", () => {
    expect(describeSections(byVersion(migrations, "20260102000000"))).toEqual([
      `up ${file("20260102000000")} L2-3 no-tx`,
      `down ${file("20260102000000")} L5-5 no-tx`,
    ]);
  });

  it("has no down section without a -- migrate:down marker, and a blank one under an empty marker", () => {
    expect(downSections(byVersion(migrations, "20260103000000"))).toEqual([]);
    const empty = byVersion(migrations, "20260104000000");
    const [down] = downSections(empty);
    expect(down).toMatchObject({ direction: "down", startLine: 5, endLine: 5 });
    expect(sectionText(files, down).trim()).toBe("");
  });

  it("points an empty down section at its marker when nothing follows it", () => {
    const text = "-- migrate:up\nSELECT 1;\n-- migrate:down\n";
    const [down] = downSections(detectMigrations([{ path: "db/migrations/1_x.sql", text }])[0]!);
    expect(down).toMatchObject({ start: text.length, end: text.length, startLine: 3, endLine: 3 });
  });

  it("reads files with Windows line endings", () => {
    const text = "-- migrate:up transaction:false\r\nCREATE INDEX CONCURRENTLY i ON t (c);\r\n-- migrate:down\r\nDROP INDEX i;\r\n";
    const [migration] = detectMigrations([{ path: "db/migrations/2_x.sql", text }]);
    expect(migration?.sections.map((s) => [s.direction, s.startLine, s.endLine, s.inTransaction])).toEqual([
      ["up", 2, 2, false],
      ["down", 4, 4, true],
    ]);
  });
});

describe("goose", () => {
  const files = loadFixture("frameworks/goose");
  const migrations = detectMigrations(files);

  it("splits at -- +goose Up / Down, records StatementBegin/End blocks", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name])).toEqual([
      ["goose", "00001", "create_widgets"],
      ["goose", "00002", "index_widgets"],
      ["goose", "00003", "no_down"],
    ]);
    const widgets = byVersion(migrations, "00001");
    expect(describeSections(widgets)).toEqual(["up migrations/00001_create_widgets.sql L2-12 tx", "down migrations/00001_create_widgets.sql L14-15 tx"]);
    const [up] = upSections(widgets);
    const [block] = up?.statementBlocks ?? [];
    const text = files.find((f) => f.path === "migrations/00001_create_widgets.sql")?.text ?? "";
    expect(text.slice(block?.start, block?.end)).toMatch(/^CREATE FUNCTION touch\(\)[\s\S]*\$\$ LANGUAGE plpgsql;\n$/);
    expect(up?.statementBlocks).toHaveLength(1);
  });

  it("runs every section outside a transaction under -- +goose NO TRANSACTION", () => {
    expect(describeSections(byVersion(migrations, "00002"))).toEqual([
      "up migrations/00002_index_widgets.sql L3-4 no-tx",
      "down migrations/00002_index_widgets.sql L6-6 no-tx",
    ]);
  });

  it("accepts lower-case annotations and has no down section without -- +goose Down", () => {
    expect(describeSections(byVersion(migrations, "00003"))).toEqual(["up migrations/00003_no_down.sql L2-2 tx"]);
  });
});

describe("Liquibase formatted SQL", () => {
  const files = loadFixture("frameworks/liquibase");
  const text = files[0]?.text ?? "";
  const migrations = detectMigrations(files);
  const path = "db/changelog/changelog.sql";

  it("makes every changeset a migration versioned author:id, in file order", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.rollback])).toEqual([
      ["liquibase", "alice:1", "1", "required"],
      ["liquibase", "alice:2", "2", "required"],
      ["liquibase", "bob:3", "3", "required"],
      ["liquibase", "bob:4", "4", "required"],
      ["liquibase", "carol:5", "5", "required"],
    ]);
  });

  it("makes the changeset SQL the up section and its --rollback lines the down section", () => {
    expect(describeSections(byVersion(migrations, "alice:1"))).toEqual([`up ${path} L4-4 tx`, `down ${path} L5-5 tx`]);
    const two = byVersion(migrations, "alice:2");
    expect(describeSections(two)).toEqual([`up ${path} L8-9 no-tx`, `down ${path} L10-11 no-tx`]);
    expect(two.sections.map((s) => s.language)).toEqual(["sql", "sql"]);
  });

  it("extracts the rollback SQL without the --rollback prefixes, keeping offsets", () => {
    const [down] = downSections(byVersion(migrations, "alice:2"));
    const sql = liquibaseRollbackSql(text, down!);
    expect(sql.length).toBe((down?.end ?? 0) - (down?.start ?? 0));
    expect(sql.split("\n").map((line) => line.trim())).toEqual(["DROP INDEX CONCURRENTLY person_name_idx;", "SELECT 1;", ""]);
    const offset = sql.indexOf("SELECT 1;");
    expect(text.slice((down?.start ?? 0) + offset, (down?.start ?? 0) + offset + 9)).toBe("SELECT 1;");
  });

  it("has no down section without --rollback, and a blank rollback for --rollback empty", () => {
    expect(downSections(byVersion(migrations, "bob:3"))).toEqual([]);
    const [empty] = downSections(byVersion(migrations, "bob:4"));
    expect(empty).toMatchObject({ startLine: 18, endLine: 18 });
    expect(liquibaseRollbackSql(text, empty!).trim()).toBe("");
  });

  it("reads a /* liquibase rollback */ block, and the irreversible comment inside its changeset", () => {
    const purge = byVersion(migrations, "carol:5");
    const [down] = downSections(purge);
    expect(down).toMatchObject({ startLine: 23, endLine: 25 });
    expect(liquibaseRollbackSql(text, down!).trim()).toBe("SELECT 'nothing to restore';");
    expect(purge.irreversible).toEqual({ reason: "the archive is purged", path, line: 21 });
    expect(byVersion(migrations, "bob:4").irreversible).toBeUndefined();
  });

  it("needs the header: a file without it is plain SQL", () => {
    const [migration] = detectMigrations([{ path: "x.sql", text: "--changeset a:1\nSELECT 1;\n" }]);
    expect(migration?.framework).toBe("plain-sql");
  });
});
