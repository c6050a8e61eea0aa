import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The type changes ORM calls send, run in PGlite (Postgres 18): whether each rewrites the table
 * (a new relfilenode). Knex `.alter()` sends `TYPE … USING (col::type)`; Sequelize `changeColumn`
 * sends `TYPE` even when the type stays the same; `Sequelize.STRING` is varchar(255).
 */
let db: PGlite;

// Starting PGlite takes seconds on a busy machine.
beforeAll(async () => {
  db = await PGlite.create();
}, 120_000);

afterAll(async () => {
  await db.close();
});

async function rewrites(setup: string, statement: string): Promise<boolean> {
  await db.exec(`DROP TABLE IF EXISTS t; ${setup}; INSERT INTO t DEFAULT VALUES;`);
  const before = await db.query<{ relfilenode: number }>("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  await db.exec(statement);
  const after = await db.query<{ relfilenode: number }>("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  return before.rows[0]?.relfilenode !== after.rows[0]?.relfilenode;
}

describe("type changes sent by ORM calls", () => {
  it("rewrites integer to bigint with knex's USING cast", async () => {
    expect(await rewrites("CREATE TABLE t (score integer DEFAULT 1)", 'ALTER TABLE t ALTER COLUMN score TYPE bigint USING ("score"::bigint)')).toBe(true);
  });

  it("rewrites an unlimited varchar to varchar(255) (changeColumn with Sequelize.STRING)", async () => {
    expect(await rewrites("CREATE TABLE t (name varchar DEFAULT 'x')", "ALTER TABLE t ALTER COLUMN name TYPE varchar(255)")).toBe(true);
  });

  it("does not rewrite when changeColumn sends the type the column already has", async () => {
    expect(await rewrites("CREATE TABLE t (name varchar(255) DEFAULT 'x')", "ALTER TABLE t ALTER COLUMN name TYPE varchar(255)")).toBe(false);
  });
});
