import { describe, expect, it } from "vitest";
import { detectMigrations } from "../../src/migrations/detect.js";
import { dialectOf, notReviewedReason, splitByDialect } from "../../src/migrations/dialect.js";

const POP = "persistence/sql/migrations/sql";

describe("dialectOf", () => {
  it.each([
    [`${POP}/20210410175418_identities.mysql.up.sql`, "mysql", ".mysql."],
    [`${POP}/20210410175418_identities.sqlite3.down.sql`, "sqlite", ".sqlite3."],
    [`${POP}/20210410175418_identities.sqlite.up.sql`, "sqlite", ".sqlite."],
    [`${POP}/20210410175418_identities.cockroach.autocommit.up.sql`, "cockroach", ".cockroach."],
    [`${POP}/20210410175418_identities.mssql.up.sql`, "mssql", ".mssql."],
    [`${POP}/20210410175418_identities.mariadb.up.sql`, "mariadb", ".mariadb."],
    ["db/V1__init.oracle.sql", "oracle", ".oracle."],
    ["schema/mysql.sql", "mysql", ".mysql."],
  ])("reads the file name's infix: %s", (path, dialect, evidence) => {
    expect(dialectOf(path)).toEqual({ dialect, source: "file-name", evidence });
  });

  it.each([
    ["src/main/resources/db/migration/mysql/V1__init.sql", "mysql", "src/main/resources/db/migration/mysql/"],
    ["db/migration/sqlserver/V1__init.sql", "mssql", "db/migration/sqlserver/"],
    ["migrations-sqlite/0001_init.sql", "sqlite", "migrations-sqlite/"],
    ["db/cockroachdb/0001_init.up.sql", "cockroach", "db/cockroachdb/"],
  ])("reads a folder's name: %s", (path, dialect, evidence) => {
    expect(dialectOf(path)).toEqual({ dialect, source: "folder", evidence });
  });

  it.each([
    `${POP}/20210410175418_identities.up.sql`,
    `${POP}/20210410175418_identities.postgres.up.sql`,
    "db/migration/postgresql/V1__init.sql",
    // A description is free text: a PostgreSQL migration may talk about MySQL.
    "db/migrations/000004_drop_mysql_compat.up.sql",
    "db/migrations/0005_sqlite_import.sql",
    // A second database's folder, not IBM Db2 (the infix still counts: x.db2.sql).
    "db2/migrations/0001_init.sql",
  ])("is PostgreSQL when the path says nothing else: %s", (path) => {
    expect(dialectOf(path).dialect).toBe("postgres");
  });

  it("prefers the file name to its folder, and the innermost folder", () => {
    expect(dialectOf("db/mysql/0001_x.postgres.up.sql").dialect).toBe("postgres");
    expect(dialectOf("mysql/sqlite/0001_x.sql").dialect).toBe("sqlite");
  });

  it("lets the configuration override the path, first matching glob first", () => {
    const overrides = { "db/cockroach/**": "postgres", "legacy/**": "mysql", "**/*.cockroach.*.sql": "postgres" } as const;
    expect(dialectOf("db/cockroach/0001_init.up.sql", overrides)).toEqual({ dialect: "postgres", source: "config", evidence: "db/cockroach/**" });
    expect(dialectOf("legacy/0001_init.sql", overrides)).toEqual({ dialect: "mysql", source: "config", evidence: "legacy/**" });
    expect(dialectOf(`${POP}/1_x.cockroach.up.sql`, overrides).dialect).toBe("postgres");
    expect(dialectOf(`${POP}/1_x.mysql.up.sql`, overrides).dialect).toBe("mysql");
  });
});

describe("notReviewedReason", () => {
  it("says which dialect, what said so, and why it is not reviewed", () => {
    expect(notReviewedReason(dialectOf(`${POP}/1_x.mysql.up.sql`))).toBe(
      "MySQL migration (file name says .mysql.): not reviewed, data-engineer reads PostgreSQL",
    );
    expect(notReviewedReason(dialectOf("db/migration/sqlite/V1__x.sql"))).toBe(
      "SQLite migration (folder db/migration/sqlite/ says sqlite): not reviewed, data-engineer reads PostgreSQL",
    );
    expect(notReviewedReason(dialectOf("legacy/1.sql", { "legacy/**": "mssql" }))).toBe(
      'SQL Server migration (configured: dialects "legacy/**"): not reviewed, data-engineer reads PostgreSQL',
    );
    expect(notReviewedReason(dialectOf(`${POP}/1_x.cockroach.up.sql`))).toMatch(
      /^CockroachDB migration \(file name says \.cockroach\.\): not reviewed, CockroachDB changes schemas online/,
    );
  });
});

describe("detection leaves other dialects out before any framework sees them", () => {
  const file = (path: string, text: string) => ({ path, text });
  const files = [
    file("db/migrations/000001_items.up.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n"),
    file("db/migrations/000001_items.down.sql", "DROP TABLE items;\n"),
    file("db/migrations/000001_items.mysql.up.sql", "CREATE TABLE `items` (`id` BIGINT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n"),
    file("db/migrations/000001_items.sqlite3.down.sql", "DROP TABLE items;\n"),
  ];

  it("pairs no MySQL or SQLite file, and lists them", () => {
    const migrations = detectMigrations(files);
    expect(migrations.flatMap((m) => m.files).sort()).toEqual(["db/migrations/000001_items.down.sql", "db/migrations/000001_items.up.sql"]);
    expect(splitByDialect(files).other.map((f) => [f.path, f.dialect])).toEqual([
      ["db/migrations/000001_items.mysql.up.sql", "mysql"],
      ["db/migrations/000001_items.sqlite3.down.sql", "sqlite"],
    ]);
  });

  it("reads a file configured as postgres", () => {
    const migrations = detectMigrations(files, { dialects: { "**/*.mysql.*": "postgres" } });
    expect(migrations.flatMap((m) => m.files)).toContain("db/migrations/000001_items.mysql.up.sql");
  });
});
