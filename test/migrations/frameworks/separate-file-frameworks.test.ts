import { describe, expect, it } from "vitest";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { dieselFramework } from "../../../src/migrations/frameworks/diesel.js";
import { golangMigrateFramework } from "../../../src/migrations/frameworks/golang-migrate.js";
import { sqitchFramework } from "../../../src/migrations/frameworks/sqitch.js";
import { sqlxFramework } from "../../../src/migrations/frameworks/sqlx.js";
import { loadFixture } from "./load-fixture.js";
import { byVersion, describeSections, sectionText } from "./summaries.js";

describe("golang-migrate", () => {
  const files = loadFixture("frameworks/golang-migrate");
  const migrations = detectMigrations(files);

  it("pairs up and down files per version, in numeric order, without transactions", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.rollback])).toEqual([
      ["golang-migrate", "000001", "create_users", "required"],
      ["golang-migrate", "000002", "add_name", "required"],
      ["golang-migrate", "000010", "add_index", "required"],
    ]);
    const first = byVersion(migrations, "000001");
    expect(first.folder).toBe("db/migrations");
    expect(first.files).toEqual(["db/migrations/000001_create_users.up.sql", "db/migrations/000001_create_users.down.sql"]);
    expect(describeSections(first)).toEqual([
      "up db/migrations/000001_create_users.up.sql L1-4 no-tx",
      "down db/migrations/000001_create_users.down.sql L1-1 no-tx",
    ]);
    expect(first.sections[0]).toMatchObject({ language: "sql", start: 0, end: files.find((f) => f.path === first.files[0])?.text.length });
    expect(first.rollbackIssues).toEqual([]);
  });

  it("has no down section when the down file is missing", () => {
    expect(describeSections(byVersion(migrations, "000002"))).toEqual(["up db/migrations/000002_add_name.up.sql L1-3 no-tx"]);
  });

  it("records the irreversible acknowledgement with its line and reason", () => {
    expect(byVersion(migrations, "000002").irreversible).toEqual({
      reason: "the old name column is dropped for good",
      path: "db/migrations/000002_add_name.up.sql",
      line: 1,
    });
    expect(byVersion(migrations, "000001").irreversible).toBeUndefined();
  });

  it("claims its files when run alone", () => {
    const result = golangMigrateFramework.detect(files);
    expect(result.claimed.sort()).toEqual(files.map((f) => f.path).sort());
  });
});

describe("Diesel", () => {
  const migrations = detectMigrations(loadFixture("frameworks/diesel"));

  it("reads one folder per migration, versioned by the folder's prefix", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder])).toEqual([
      ["diesel", "2026-01-01-000000", "create_posts", "migrations"],
      ["diesel", "2026-01-02-000000", "index_posts", "migrations"],
    ]);
    expect(describeSections(migrations[0])).toEqual([
      "up migrations/2026-01-01-000000_create_posts/up.sql L1-4 tx",
      "down migrations/2026-01-01-000000_create_posts/down.sql L1-1 tx",
    ]);
  });

  it("honours metadata.toml run_in_transaction = false, and a missing down.sql leaves no down section", () => {
    const index = byVersion(migrations, "2026-01-02-000000");
    expect(index.files).toEqual(["migrations/2026-01-02-000000_index_posts/up.sql", "migrations/2026-01-02-000000_index_posts/metadata.toml"]);
    expect(describeSections(index)).toEqual(["up migrations/2026-01-02-000000_index_posts/up.sql L1-1 no-tx"]);
  });

  it("ignores up.sql files outside version-named folders unless forced", () => {
    const files = [{ path: "sql/reset/up.sql", text: "SELECT 1;\n" }];
    expect(dieselFramework.detect(files).migrations).toEqual([]);
    expect(dieselFramework.detect(files, { forced: true }).migrations.map((m) => m.version)).toEqual(["reset"]);
  });
});

describe("sqitch", () => {
  const files = loadFixture("frameworks/sqitch");
  const migrations = detectMigrations(files);

  it("orders changes as sqitch.plan lists them, with deploy, revert and verify files", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder])).toEqual([
      ["sqitch", "0001", "appschema", ""],
      ["sqitch", "0002", "users", ""],
    ]);
    expect(migrations[0]?.files).toEqual(["deploy/appschema.sql", "revert/appschema.sql", "verify/appschema.sql"]);
  });

  it("adds no transaction of its own: a script's BEGIN … COMMIT is the analyser's to follow", () => {
    expect(describeSections(migrations[0])).toEqual(["up deploy/appschema.sql L1-3 no-tx", "down revert/appschema.sql L1-1 no-tx"]);
    expect(describeSections(migrations[1])).toEqual(["up deploy/users.sql L1-8 no-tx", "down revert/users.sql L1-3 no-tx"]);
  });

  it("claims the plan and the verify scripts, so plain SQL does not read them", () => {
    expect(sqitchFramework.detect(files).claimed.sort()).toEqual(files.map((f) => f.path).sort());
    expect(migrations).toHaveLength(2);
  });
});

describe("Flyway", () => {
  const migrations = detectMigrations(loadFixture("frameworks/flyway"));
  const sqlFolder = "src/main/resources/db/migration";

  it("orders versions numerically, repeatables last, rollback optional", () => {
    const sql = migrations.filter((m) => m.folder === sqlFolder);
    expect(sql.map((m) => [m.framework, m.version, m.name, m.rollback])).toEqual([
      ["flyway", "1", "init", "optional"],
      ["flyway", "1.1", "add_email", "optional"],
      ["flyway", "1.10", "add_status", "optional"],
      ["flyway", "2", "add_phone", "optional"],
      ["flyway", "R__account_view", "account_view", "optional"],
    ]);
  });

  it("pairs an undo file with its version as the down section, in a transaction", () => {
    expect(describeSections(byVersion(migrations, "1.1"))).toEqual([
      `up ${sqlFolder}/V1.1__add_email.sql L1-1 tx`,
      `down ${sqlFolder}/U1.1__add_email.sql L1-1 tx`,
    ]);
    expect(describeSections(byVersion(migrations, "2"))).toEqual([`up ${sqlFolder}/V2__add_phone.sql L1-1 tx`]);
  });

  it("reads a Java migration as one Java section", () => {
    const java = byVersion(migrations, "3");
    expect(java.sections.map((s) => [s.language, s.startLine, s.endLine])).toEqual([["java", 1, 12]]);
  });
});

describe("Prisma", () => {
  const files = loadFixture("frameworks/prisma");
  const migrations = detectMigrations(files);

  it("reads migration.sql per folder, in a transaction, with rollback unsupported", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder, m.rollback])).toEqual([
      ["prisma", "20260101000000", "init", "prisma/migrations", "unsupported"],
      ["prisma", "20260102000000", "add_index", "prisma/migrations", "unsupported"],
    ]);
    expect(describeSections(migrations[0])).toEqual(["up prisma/migrations/20260101000000_init/migration.sql L1-7 tx"]);
  });

  it("takes a down.sql beside migration.sql as its down section, never as a forward migration", () => {
    expect(describeSections(migrations[1])).toEqual([
      "up prisma/migrations/20260102000000_add_index/migration.sql L1-2 tx",
      "down prisma/migrations/20260102000000_add_index/down.sql L1-1 tx",
    ]);
    expect(migrations.some((m) => m.framework === "diesel" || m.framework === "plain-sql")).toBe(false);
  });
});

describe("Drizzle", () => {
  const files = loadFixture("frameworks/drizzle");
  const migrations = detectMigrations(files);

  it("reads NNNN_name.sql in the drizzle folder or beside meta/_journal.json, rollback unsupported", () => {
    expect(migrations.map((m) => [m.framework, m.folder, m.version, m.name, m.rollback])).toEqual([
      ["drizzle", "db/out", "0000", "init", "unsupported"],
      ["drizzle", "drizzle", "0000", "curious_wolverine", "unsupported"],
      ["drizzle", "drizzle", "0001", "brave_hulk", "unsupported"],
    ]);
  });

  it("records the statement-breakpoint blocks", () => {
    const first = byVersion(
      migrations.filter((m) => m.folder === "drizzle"),
      "0000",
    );
    const section = first.sections[0];
    expect(describeSections(first)).toEqual(["up drizzle/0000_curious_wolverine.sql L1-6 tx"]);
    const text = sectionText(files, section);
    expect(section?.statementBlocks?.map((block) => text.slice(block.start, block.end).trim().split(" ").slice(0, 2).join(" "))).toEqual([
      "CREATE TABLE",
      "CREATE INDEX",
    ]);
  });
});

describe("sqlx", () => {
  const files = loadFixture("frameworks/sqlx");
  const migrations = detectMigrations(files);

  it("reads simple migrations in a crate's migrations folder (Cargo.toml or .sqlx beside it), rollback unsupported", () => {
    const sqlx = migrations.filter((m) => m.framework === "sqlx");
    expect(sqlx.map((m) => [m.version, m.name, m.folder, m.rollback])).toEqual([
      ["20260101000000", "create_users", "crate/migrations", "unsupported"],
      ["20260102000000", "index_users", "crate/migrations", "unsupported"],
    ]);
    expect(describeSections(sqlx[1])).toEqual(["up crate/migrations/20260102000000_index_users.sql L1-2 no-tx"]);
    expect(describeSections(sqlx[0])).toEqual(["up crate/migrations/20260101000000_create_users.sql L1-1 tx"]);
  });

  it("leaves a numbered migrations folder without a Rust hint to plain SQL", () => {
    const loose = migrations.find((m) => m.folder === "loose/migrations");
    expect(loose).toMatchObject({ framework: "plain-sql", version: "0001", name: "init", rollback: "optional" });
    expect(describeSections(loose)).toEqual(["up loose/migrations/0001_init.sql L1-1 no-tx"]);
  });

  it("reads reversible .up.sql/.down.sql only when forced (they are golang-migrate's otherwise)", () => {
    const reversible = loadFixture("frameworks/golang-migrate");
    expect(sqlxFramework.detect(reversible).migrations).toEqual([]);
    const forced = sqlxFramework.detect(reversible, { forced: true }).migrations;
    expect(forced.map((m) => [m.framework, m.version, m.rollback, m.sections.length])).toEqual([
      ["sqlx", "000001", "required", 2],
      ["sqlx", "000002", "required", 1],
      ["sqlx", "000010", "required", 2],
    ]);
    expect(forced[0]?.sections.every((s) => s.inTransaction)).toBe(true);
  });
});

describe("plain SQL", () => {
  it("takes every remaining .sql file as one optional up section outside a transaction", () => {
    const files = loadFixture("frameworks/plain-sql");
    const migrations = detectMigrations(files);
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.rollback])).toEqual([["plain-sql", "report", "report", "optional"]]);
    expect(migrations[0]?.sections).toEqual([
      { direction: "up", path: "queries/report.sql", language: "sql", start: 0, end: files[0]?.text.length, startLine: 1, endLine: 1, inTransaction: false },
    ]);
  });

  it("versions by a leading number when there is one", () => {
    const files = [
      { path: "sql/0001.sql", text: "SELECT 1;\n" },
      { path: "sql/0002-fix.sql", text: "SELECT 2;\n" },
    ];
    expect(detectMigrations(files).map((m) => [m.version, m.name])).toEqual([
      ["0001", "0001"],
      ["0002", "fix"],
    ]);
  });

  it("accepts an empty file as an empty section on line 1", () => {
    const [migration] = detectMigrations([{ path: "empty.sql", text: "" }]);
    expect(migration?.sections).toEqual([
      { direction: "up", path: "empty.sql", language: "sql", start: 0, end: 0, startLine: 1, endLine: 1, inTransaction: false },
    ]);
  });
});
