import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * What Postgres does with a query of several statements, the way golang-migrate's postgres driver
 * sends a migration file (one simple-protocol query; PGlite's `exec` sends one too). These facts
 * back MigrationSection.oneQuery, the rules' implicit transaction and the replay's one-query run.
 */

let db: PGlite;

// Starting PGlite (WASM) takes seconds on a loaded machine.
beforeAll(async () => {
  db = await PGlite.create();
}, 120_000);

afterAll(async () => {
  await db.close();
});

async function refusal(sql: string): Promise<{ code: unknown; message: string } | undefined> {
  try {
    await db.exec(sql);
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message: string };
    return { code, message };
  }
}

async function exists(name: string): Promise<boolean> {
  const rows = await db.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [name]);
  return rows.rows[0]?.found === true;
}

describe("a query of several statements runs in one implicit transaction", () => {
  it("refuses CREATE INDEX CONCURRENTLY beside another statement, and undoes the whole query", async () => {
    const failed = await refusal("CREATE TABLE t1 (a int); CREATE INDEX CONCURRENTLY t1_a ON t1 (a);");
    expect(failed?.code).toBe("25001");
    expect(failed?.message).toContain("cannot run inside a transaction block");
    expect(await exists("t1")).toBe(false);
  });

  it("runs each statement alone, CONCURRENTLY included", async () => {
    await db.exec("CREATE TABLE t2 (a int);");
    await db.exec("CREATE INDEX CONCURRENTLY t2_a ON t2 (a);");
    expect(await exists("t2_a")).toBe(true);
  });

  it("refuses CONCURRENTLY first in the query too: the block holds every statement", async () => {
    await db.exec("CREATE TABLE t3 (a int);");
    expect((await refusal("CREATE INDEX CONCURRENTLY t3_a ON t3 (a); SELECT 1;"))?.code).toBe("25001");
  });

  it("is all or nothing: a failing statement undoes the ones before it", async () => {
    expect(await refusal("CREATE TABLE t4 (a int); SELECT 1 / 0;")).toBeDefined();
    expect(await exists("t4")).toBe(false);
  });

  it("ends at an explicit COMMIT, which keeps what ran; the statements after it open another block", async () => {
    const failed = await refusal("BEGIN; CREATE TABLE t5 (a int); COMMIT; CREATE INDEX CONCURRENTLY t5_a ON t5 (a);");
    expect(failed?.code).toBe("25001");
    expect(await exists("t5")).toBe(true);
    expect(await exists("t5_a")).toBe(false);
  });

  it("turns into the explicit transaction at BEGIN: a ROLLBACK undoes the statements before BEGIN too", async () => {
    await db.exec("CREATE TABLE t6 (a int); BEGIN; INSERT INTO t6 VALUES (1); ROLLBACK;");
    expect(await exists("t6")).toBe(false);
  });

  it("commits at a COMMIT without BEGIN: what ran before it stays when a later statement fails", async () => {
    expect(await refusal("CREATE TABLE t7 (a int); COMMIT; SELECT 1 / 0;")).toBeDefined();
    expect(await exists("t7")).toBe(true);
  });
});
