import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REACHABLE_ROLES_SQL } from "../../src/replay/postgres-admin.js";

/**
 * The external engine refuses an operator role, and a replay role, that reaches a powerful role
 * through any grant. The test server here is PostgreSQL 15, where a grant is a plain membership;
 * PostgreSQL 16 split it into ADMIN, INHERIT and SET options, and a grant with ADMIN OPTION alone
 * (no INHERIT, no SET) still lets the member grant itself the role. PGlite is PostgreSQL 17: the
 * query that follows the grants is run there on each kind of PostgreSQL 16 grant (issue 18).
 */

let db: PGlite;

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE ROLE operator_admin_only LOGIN;
    CREATE ROLE operator_set_only LOGIN;
    CREATE ROLE operator_none LOGIN;
    CREATE ROLE operator_chain LOGIN;
    CREATE ROLE middle NOLOGIN;
    CREATE ROLE powerful SUPERUSER NOLOGIN;
    GRANT pg_execute_server_program TO operator_admin_only WITH ADMIN OPTION, INHERIT FALSE, SET FALSE;
    GRANT pg_read_all_stats TO operator_set_only WITH INHERIT FALSE, SET TRUE;
    GRANT pg_signal_backend TO operator_none WITH INHERIT FALSE, SET FALSE;
    GRANT middle TO operator_chain WITH ADMIN OPTION, INHERIT FALSE, SET FALSE;
    GRANT powerful TO middle WITH INHERIT FALSE, SET FALSE;
  `);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

async function reached(role: string): Promise<Array<{ name: string; super: boolean }>> {
  const { rows } = await db.query<{ name: string; super: boolean }>(REACHABLE_ROLES_SQL, [role]);
  return rows.map((row) => ({ name: row.name, super: row.super }));
}

describe("the roles a role reaches, on PostgreSQL 16+ grants", () => {
  it("runs on a server with grant options", async () => {
    const { rows } = await db.query<{ num: number }>("SELECT current_setting('server_version_num')::int AS num");
    expect(rows[0]?.num).toBeGreaterThanOrEqual(160000);
    const options = await db.query<{ admin: boolean; inherit: boolean; set: boolean }>(
      "SELECT admin_option AS admin, inherit_option AS inherit, set_option AS set FROM pg_auth_members WHERE member = 'operator_admin_only'::regrole",
    );
    expect(options.rows).toEqual([{ admin: true, inherit: false, set: false }]);
  });

  it("follows a grant with ADMIN OPTION alone", async () => {
    expect(await reached("operator_admin_only")).toEqual([{ name: "pg_execute_server_program", super: false }]);
  });

  it("follows a grant with SET alone, and one with neither INHERIT nor SET", async () => {
    expect(await reached("operator_set_only")).toEqual([{ name: "pg_read_all_stats", super: false }]);
    expect(await reached("operator_none")).toEqual([{ name: "pg_signal_backend", super: false }]);
  });

  it("follows a chain of such grants to a superuser", async () => {
    expect(await reached("operator_chain")).toEqual([
      { name: "middle", super: false },
      { name: "powerful", super: true },
    ]);
  });
});
