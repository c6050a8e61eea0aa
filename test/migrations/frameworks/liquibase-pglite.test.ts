import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { upSections } from "../../../src/migrations/model.js";
import { loadFixture } from "./load-fixture.js";

/**
 * The SQL translated from Liquibase changes is valid PostgreSQL (PGlite = Postgres 18), and the
 * one liberty the translation takes, leaving out the `USING (column::type)` Liquibase adds to
 * modifyDataType, changes nothing about whether the table is rewritten.
 */
describe("Liquibase changes as PostgreSQL", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = new PGlite();
    await db.waitReady;
  }, 120_000);
  afterAll(async () => {
    await db.close();
  });

  const filenode = async (table: string): Promise<number> =>
    (await db.query<{ node: number }>(`SELECT relfilenode::int AS node FROM pg_class WHERE relname = '${table}'`)).rows[0]?.node ?? -1;

  it("runs the statements of the fixture's changeSets in Postgres", { timeout: 60_000 }, async () => {
    const migrations = detectMigrations(loadFixture("liquibase-xml"));
    // bob:11 holds CREATE INDEX CONCURRENTLY (no transaction block) and bob:13 drops a column that is not there.
    for (const version of ["ana:1", "bob:10", "bob:12", "dee:30"]) {
      const migration = migrations.find((m) => m.version === version);
      for (const section of migration ? upSections(migration) : []) await db.exec(section.sql ?? "");
    }
    const columns = await db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'clients'");
    expect(columns.rows.map((row) => row.column_name)).toEqual(["id"]);
  });

  it.each([
    ["varchar(20)", "varchar(100)", false],
    ["integer", "bigint", true],
  ])("ALTER COLUMN TYPE %s → %s rewrites (%s) the same with and without USING (column::type)", { timeout: 60_000 }, async (from, to, rewrites) => {
    for (const using of ["", ` USING (c::${to})`]) {
      await db.exec(`DROP TABLE IF EXISTS widen; CREATE TABLE widen (c ${from}); INSERT INTO widen VALUES ('1')`);
      const before = await filenode("widen");
      await db.exec(`ALTER TABLE widen ALTER COLUMN c TYPE ${to}${using}`);
      expect((await filenode("widen")) !== before).toBe(rewrites);
    }
  });
});
