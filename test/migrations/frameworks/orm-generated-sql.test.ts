import { describe, expect, it } from "vitest";
import { FRAMEWORKS } from "../../../src/migrations/frameworks/index.js";
import { loadSqlParser } from "../../../src/sql/parse.js";
import { type OrmFixture, ormFixture } from "./orm-sql-findings.js";

/**
 * ORM schema calls become the SQL they issue, at the call's line, so the lock rules read ORM
 * migrations as they read SQL ones. Each fixture folder (test/fixtures/orm-sql/<orm>) has a
 * migration of risky operations, one of their safe forms, and one with CONCURRENTLY inside the
 * ORM's transaction.
 */
const LOCK_RULES = [
  "require-concurrent-index",
  "add-required-column",
  "unsafe-column-type-change",
  "require-not-valid-foreign-key",
  "ban-drop-column",
  "ban-rename-column",
  "ban-drop-not-null",
  "set-not-null-scan",
  "concurrently-in-transaction",
  "validate-in-same-transaction",
  "unbatched-backfill",
];

// Loaded before the suites are collected: they compute their findings while they are.
await loadSqlParser();

function expectLeaveTransactionHelp(fixture: OrmFixture, file: string, framework: keyof typeof FRAMEWORKS): void {
  expect(fixture.help(file, "concurrently-in-transaction")).toContain(FRAMEWORKS[framework].texts.leaveTransaction);
}

function expectConcurrentIndexHelp(fixture: OrmFixture, file: string, framework: keyof typeof FRAMEWORKS): void {
  const help = fixture.help(file, "require-concurrent-index");
  expect(help).toBe(FRAMEWORKS[framework].texts.concurrentIndex);
}

describe("Sequelize", () => {
  const fixture = ormFixture("orm-sql/sequelize");

  it("reports each QueryInterface call's lock risk at its line", () => {
    expect(fixture.findings("risky-changes", LOCK_RULES)).toEqual([
      "add-required-column 5",
      "require-concurrent-index 9",
      "ban-drop-not-null 10",
      "unsafe-column-type-change 10",
      "require-not-valid-foreign-key 11",
      "ban-drop-column 16",
      "ban-rename-column 17",
    ]);
    expectConcurrentIndexHelp(fixture, "risky-changes", "sequelize");
    expect(fixture.upSql("risky-changes")[0]).toBe('ALTER TABLE "users" ADD COLUMN "teamId" uuid NOT NULL');
  });

  it("reads an index on a table created in the same migration, a default and concurrently: true as safe", () => {
    expect(fixture.findings("create-projects", LOCK_RULES)).toEqual([]);
    expect(fixture.findings("safe-changes", LOCK_RULES)).toEqual([]);
    expect(fixture.upSql("safe-changes")).toEqual([
      `ALTER TABLE "users" ADD COLUMN "role" varchar(255) NOT NULL DEFAULT 'member'`,
      'CREATE INDEX CONCURRENTLY "users_role" ON "users" ("role")',
      'CREATE UNIQUE INDEX CONCURRENTLY "users_email" ON "users" ("email")',
    ]);
  });

  it("runs a call in a transaction only when given one, and parses raw SQL at its lines", () => {
    expect(fixture.upSections("safe-changes")).toEqual(["L5-12 no-tx"]);
    expect(fixture.upSections("in-transaction")).toEqual(["L5-11 tx", "L16-17 no-tx"]);
    // The UPDATE's text starts on line 9 of the file; the query given a variable issues nothing.
    expect(fixture.findings("in-transaction", LOCK_RULES)).toEqual(["concurrently-in-transaction 6"]);
    expectLeaveTransactionHelp(fixture, "in-transaction", "sequelize");
    expect(fixture.upSql("in-transaction")).toEqual([
      'CREATE INDEX CONCURRENTLY "documents_team_id" ON "documents" ("teamId")',
      `UPDATE documents SET "teamId" = NULL WHERE id = '1'`,
      "CREATE INDEX CONCURRENTLY documents_title ON documents (title)",
    ]);
  });
});

describe("Knex", () => {
  const fixture = ormFixture("orm-sql/knex");

  it("reports createTable/alterTable builders at their lines; indexes on the new table are not", () => {
    expect(fixture.findings("create_projects", LOCK_RULES)).toEqual([
      "add-required-column 11",
      "require-concurrent-index 12",
      "require-not-valid-foreign-key 13",
    ]);
    expectConcurrentIndexHelp(fixture, "create_projects", "knex");
  });

  it("reports drops, renames, .alter() and t.index(); raw SQL at its lines, a raw value inside a query not at all", () => {
    expect(fixture.findings("alter_users", LOCK_RULES)).toEqual([
      "ban-drop-column 5",
      "ban-rename-column 6",
      "set-not-null-scan 7",
      "unsafe-column-type-change 7",
      "require-concurrent-index 8",
      "unbatched-backfill 12",
    ]);
    expect(fixture.upSql("alter_users")).toContain('ALTER TABLE "users" ALTER COLUMN "score" TYPE bigint USING ("score"::bigint)');
    expect(fixture.upSql("alter_users").some((sql) => sql.startsWith("now()"))).toBe(false);
  });

  it("honours config = { transaction: false }", () => {
    expect(fixture.upSections("concurrent_index")).toEqual(["L4-4 no-tx"]);
    expect(fixture.findings("concurrent_index.js", LOCK_RULES)).toEqual([]);
    expect(fixture.findings("concurrent_in_transaction", LOCK_RULES)).toEqual(["concurrently-in-transaction 2"]);
    expectLeaveTransactionHelp(fixture, "concurrent_in_transaction", "knex");
  });
});

describe("TypeORM", () => {
  const fixture = ormFixture("orm-sql/typeorm");

  it("parses queryRunner.query SQL at its lines and reads the simple QueryRunner calls", () => {
    expect(fixture.findings("AddTeam", LOCK_RULES)).toEqual([
      "add-required-column 7",
      "require-concurrent-index 8",
      "require-not-valid-foreign-key 10",
      "add-required-column 13",
      "require-concurrent-index 14",
      "require-not-valid-foreign-key 15",
      "ban-drop-column 19",
    ]);
    expectConcurrentIndexHelp(fixture, "AddTeam", "typeorm");
  });

  it("honours transaction = false, and reports CONCURRENTLY inside TypeORM's transaction", () => {
    expect(fixture.upSections("-ConcurrentIndex")).toEqual(["L7-9 no-tx"]);
    expect(fixture.findings("-ConcurrentIndex", LOCK_RULES)).toEqual([]);
    expect(fixture.findings("ConcurrentInTransaction", LOCK_RULES)).toEqual(["concurrently-in-transaction 5"]);
    expectLeaveTransactionHelp(fixture, "ConcurrentInTransaction", "typeorm");
  });
});

describe("Ecto", () => {
  const fixture = ormFixture("orm-sql/ecto");

  it("reports each command of change at its line, the created table's index aside", () => {
    expect(fixture.findings("create_projects", LOCK_RULES)).toEqual([
      "add-required-column 14",
      "require-not-valid-foreign-key 15",
      "set-not-null-scan 16",
      "unsafe-column-type-change 16",
      "ban-drop-column 17",
      "require-concurrent-index 20",
      "ban-rename-column 21",
      "unbatched-backfill 22",
    ]);
    expectConcurrentIndexHelp(fixture, "create_projects", "ecto");
  });

  it("honours @disable_ddl_transaction, and reads validate: false and execute heredocs", () => {
    expect(fixture.upSections("concurrent_index")).toEqual(["L8-9 no-tx"]);
    expect(fixture.findings("concurrent_index", LOCK_RULES)).toEqual([]);
    expect(fixture.findings("concurrent_in_transaction", LOCK_RULES)).toEqual(["concurrently-in-transaction 5", "validate-in-same-transaction 13"]);
    expectLeaveTransactionHelp(fixture, "concurrent_in_transaction", "ecto");
  });
});

describe("EF Core", () => {
  const fixture = ormFixture("orm-sql/efcore");

  it("reports each MigrationBuilder call at its line, the created table's index aside", () => {
    expect(fixture.findings("AddTeams", LOCK_RULES)).toEqual([
      "add-required-column 34",
      "require-concurrent-index 40",
      "require-not-valid-foreign-key 45",
      "unsafe-column-type-change 53",
      "ban-drop-column 61",
      "ban-rename-column 65",
    ]);
    expectConcurrentIndexHelp(fixture, "AddTeams", "efcore");
  });

  it("runs Sql(…, suppressTransaction: true) and a concurrent CreateIndex outside EF's transaction", () => {
    expect(fixture.upSections("_ConcurrentIndex")).toEqual(["L9-9 tx", "L17-20 no-tx", "L27-29 tx"]);
    expect(fixture.findings("_ConcurrentIndex", LOCK_RULES)).toEqual([]);
    expect(fixture.findings("ConcurrentInTransaction", LOCK_RULES)).toEqual(["concurrently-in-transaction 9"]);
    expectLeaveTransactionHelp(fixture, "ConcurrentInTransaction", "efcore");
  });
});
