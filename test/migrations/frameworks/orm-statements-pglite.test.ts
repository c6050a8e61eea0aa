import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The PostgreSQL facts the ORM readers rely on, run in PGlite (Postgres in WASM): whether a
 * statement rewrites the table (its relfilenode changes) or scans it (pg_stat_get_xact_numscans
 * grows), inside `BEGIN … ROLLBACK`.
 */
describe("PostgreSQL facts behind the ORM statements", () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec(`
      CREATE TABLE people (id bigint PRIMARY KEY, name varchar(20), code text, tier integer NOT NULL);
      INSERT INTO people SELECT g, 'n' || g, 'c' || g, g FROM generate_series(1, 200) g;
    `);
  }, 120_000);

  afterAll(async () => {
    await db.close();
  });

  async function effect(sql: string): Promise<{ rewritten: boolean; scanned: boolean }> {
    const before = await db.query<{ filenode: number }>("SELECT relfilenode::int AS filenode FROM pg_class WHERE relname = 'people'");
    await db.exec("BEGIN");
    try {
      const scansBefore = await db.query<{ scans: number }>("SELECT pg_stat_get_xact_numscans('people'::regclass)::int AS scans");
      await db.exec(sql);
      const after = await db.query<{ filenode: number; scans: number }>(
        "SELECT relfilenode::int AS filenode, pg_stat_get_xact_numscans('people'::regclass)::int AS scans FROM pg_class WHERE relname = 'people'",
      );
      return {
        rewritten: after.rows[0]?.filenode !== before.rows[0]?.filenode,
        scanned: (after.rows[0]?.scans ?? 0) > (scansBefore.rows[0]?.scans ?? 0),
      };
    } finally {
      await db.exec("ROLLBACK");
    }
  }

  it("widening varchar (to a larger length or to text) rewrites nothing: Django's AlterField of max_length issues no type change", async () => {
    expect(await effect("ALTER TABLE people ALTER COLUMN name TYPE character varying(50)")).toEqual({ rewritten: false, scanned: false });
    expect(await effect("ALTER TABLE people ALTER COLUMN name TYPE text")).toEqual({ rewritten: false, scanned: false });
    // The comparison can fail: narrowing or changing the type does rewrite.
    expect((await effect("ALTER TABLE people ALTER COLUMN tier TYPE bigint")).rewritten).toBe(true);
  });

  it("a column added with a constant DEFAULT and NOT NULL is as cheap as one added nullable: an unreadable ORM default leaves out both", async () => {
    expect(await effect("ALTER TABLE people ADD COLUMN score integer DEFAULT 7 NOT NULL")).toEqual({ rewritten: false, scanned: false });
    expect(await effect("ALTER TABLE people ADD COLUMN score integer")).toEqual({ rewritten: false, scanned: false });
  });

  it("SET NOT NULL scans a nullable column, not one already NOT NULL: Laravel's change() restates NOT NULL, so only an explicit nullable(false) is read", async () => {
    expect((await effect("ALTER TABLE people ALTER COLUMN code SET NOT NULL")).scanned).toBe(true);
    expect((await effect("ALTER TABLE people ALTER COLUMN tier SET NOT NULL")).scanned).toBe(false);
  });
});
