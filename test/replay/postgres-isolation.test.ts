import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplayUnavailableError, type ReplayEngine } from "../../src/replay/engine.js";
import { openPostgresEngine } from "../../src/replay/postgres-engine.js";
import { OPERATOR_ROLE, testOperatorUrls } from "./postgres-operator.js";

/**
 * The external engine shared by several repositories (issue 18): two replays at once on one real
 * PostgreSQL server, each with the role and database the engine makes for it. Neither sees the
 * other's queries, signals its backends or the admin sessions, connects to its database or lives
 * past its close; a hostile migration leaves the server as it was. The superuser watches.
 */

const urls = await testOperatorUrls();

async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

async function nameOf(engine: ReplayEngine): Promise<string> {
  const [row] = await engine.query("SELECT current_user AS role, current_database() AS db");
  expect(row?.role).toBe(row?.db);
  return String(row?.db);
}

describe.skipIf(urls === undefined)("two replays of different repositories on one shared server", () => {
  const { operator, superuser } = urls!;
  let watcher: pg.Client;

  beforeAll(async () => {
    watcher = new pg.Client(superuser);
    await watcher.connect();
  });

  afterAll(async () => {
    await watcher?.end();
  });

  async function watch<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await watcher.query<T>(sql, params)).rows;
  }

  /** Everything a replay could damage that outlives it: roles, their settings and passwords, databases, ALTER SYSTEM. */
  async function serverState(): Promise<unknown> {
    return {
      roles: await watch(
        `SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil
         FROM pg_authid WHERE rolname NOT LIKE 'data\\_engineer\\_replay\\_%' ORDER BY rolname`,
      ),
      memberships: await watch("SELECT roleid::regrole::text AS role, member::regrole::text AS member FROM pg_auth_members ORDER BY 1, 2"),
      databases: await watch(
        "SELECT datname, datdba::regrole::text AS owner, datallowconn, datconnlimit FROM pg_database WHERE datname NOT LIKE 'data\\_engineer\\_replay\\_%' ORDER BY datname",
      ),
      settings: await watch("SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2"),
      autoConf: await watch("SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY name"),
      readOnly: await watch("SELECT current_setting('default_transaction_read_only') AS value"),
    };
  }

  async function leftovers(): Promise<string[]> {
    const rows = await watch<{ name: string }>(
      "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'data\\_engineer\\_replay\\_%' UNION SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'data\\_engineer\\_replay\\_%'",
    );
    return rows.map((row) => row.name);
  }

  it("runs each replay as a role of its own that owns only its database and belongs to no role", async () => {
    const [a, b] = await Promise.all([openPostgresEngine(operator, { deadlineMs: 60_000 }), openPostgresEngine(operator, { deadlineMs: 60_000 })]);
    try {
      const [nameA, nameB] = [await nameOf(a), await nameOf(b)];
      expect(nameA).not.toBe(nameB);
      const roles = await watch<{
        rolname: string;
        rolsuper: boolean;
        rolcreatedb: boolean;
        rolcreaterole: boolean;
        rolconnlimit: number;
        member_of: number;
        owns: string[];
      }>(
        `SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolconnlimit,
                (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS member_of,
                (SELECT array_agg(datname::text) FROM pg_database d WHERE d.datdba = r.oid) AS owns
         FROM pg_roles r WHERE r.rolname = ANY($1) ORDER BY r.rolname`,
        [[nameA, nameB]],
      );
      expect(roles).toEqual(
        [nameA, nameB]
          .sort()
          .map((name) => ({ rolname: name, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolconnlimit: 1, member_of: 0, owns: [name] })),
      );
      const connect = await watch<{ a_to_b: boolean; b_to_a: boolean }>(
        "SELECT has_database_privilege($1, $2, 'CONNECT') AS a_to_b, has_database_privilege($2, $1, 'CONNECT') AS b_to_a",
        [nameA, nameB],
      );
      expect(connect).toEqual([{ a_to_b: false, b_to_a: false }]);
      // The deadline is on the role too, for any session it might have.
      const timeouts = await watch<{ setconfig: string[] }>("SELECT setconfig FROM pg_db_role_setting WHERE setrole = $1::regrole", [nameA]);
      expect(timeouts[0]?.setconfig.some((s) => /^statement_timeout=\d+$/.test(s))).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("shows neither replay the other's queries, nor the admin sessions'", async () => {
    const [a, b] = await Promise.all([openPostgresEngine(operator, { deadlineMs: 60_000 }), openPostgresEngine(operator, { deadlineMs: 60_000 })]);
    try {
      const nameB = await nameOf(b);
      const running = b.query("SELECT pg_sleep(2), 'whsec_tenant_b_secret' AS secret");
      // The superuser sees B's statement with its secret while it runs …
      await expect
        .poll(async () => (await watch<{ query: string }>("SELECT query FROM pg_stat_activity WHERE datname = $1", [nameB])).map((r) => r.query).join())
        .toContain("whsec_tenant_b_secret");
      // … A sees the session but none of what it runs.
      const seen = await a.query("SELECT pid, datname, usename, query FROM pg_stat_activity WHERE pid <> pg_backend_pid()");
      expect(seen.some((row) => row.datname === nameB)).toBe(true);
      expect(JSON.stringify(seen)).not.toContain("whsec_tenant_b_secret");
      expect(seen.filter((row) => row.query !== null && row.query !== "<insufficient privilege>")).toEqual([]);
      await running;
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("lets neither replay signal the other's backend or any admin session", async () => {
    const [a, b] = await Promise.all([openPostgresEngine(operator, { deadlineMs: 60_000 }), openPostgresEngine(operator, { deadlineMs: 60_000 })]);
    try {
      const nameB = await nameOf(b);
      const others = await watch<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE (datname = $1 OR usename = $2) AND pid <> pg_backend_pid()", [
        nameB,
        OPERATOR_ROLE,
      ]);
      expect(others.length).toBeGreaterThanOrEqual(3);
      for (const { pid } of others) {
        for (const signal of ["pg_cancel_backend", "pg_terminate_backend"]) {
          expect(await rejectionOf(a.query(`SELECT ${signal}($1)`, [pid]))).toMatchObject({ name: "ReplaySqlError", code: "42501" });
        }
      }
      expect(await b.query("SELECT 1 AS alive")).toEqual([{ alive: 1 }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(await leftovers()).toEqual([]);
  });

  it("ends the replay's sessions, database and role at close, while the other replay goes on", async () => {
    const [a, b] = await Promise.all([openPostgresEngine(operator, { deadlineMs: 60_000 }), openPostgresEngine(operator, { deadlineMs: 60_000 })]);
    const nameA = await nameOf(a);
    const runaway = a.query("SELECT pg_sleep(600)").catch((error: unknown) => error);
    await expect.poll(async () => (await watch("SELECT 1 FROM pg_stat_activity WHERE usename = $1 AND state = 'active'", [nameA])).length).toBe(1);
    await a.close();
    expect(await runaway).toBeInstanceOf(ReplayUnavailableError);
    expect(await watch("SELECT pid FROM pg_stat_activity WHERE usename = $1 OR datname = $1", [nameA])).toEqual([]);
    expect(await leftovers()).not.toContain(nameA);
    expect(await b.query("SELECT 1 AS alive")).toEqual([{ alive: 1 }]);
    await b.close();
  });

  it("keeps the deadline when the SQL tries to end the admin session first", async () => {
    const engine = await openPostgresEngine(operator, { deadlineMs: 2_000 });
    const name = await nameOf(engine);
    // Sent as one string, past the parsed-statement check, to show what the role itself allows.
    const error = await rejectionOf(
      engine.exec(
        "DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename <> current_user; EXCEPTION WHEN insufficient_privilege THEN NULL; END $$; SELECT pg_sleep(600)",
      ),
    );
    expect(error).toMatchObject({ name: "ReplayUnavailableError", why: "deadline" });
    await expect.poll(async () => (await watch("SELECT pid FROM pg_stat_activity WHERE usename = $1", [name])).length, { timeout: 5_000 }).toBe(0);
    await engine.close();
    expect(await leftovers()).not.toContain(name);
  });

  it("leaves the server unchanged after a hostile migration, and the other replay working", async () => {
    const before = await serverState();
    const [hostile, other] = await Promise.all([openPostgresEngine(operator, { deadlineMs: 60_000 }), openPostgresEngine(operator, { deadlineMs: 60_000 })]);
    const [own, neighbour] = [await nameOf(hostile), await nameOf(other)];
    const attempts = [
      "ALTER ROLE CURRENT_USER SET default_transaction_read_only = on",
      `ALTER ROLE ${OPERATOR_ROLE} SET default_transaction_read_only = on`,
      `ALTER ROLE ${OPERATOR_ROLE} PASSWORD 'pwned'`,
      "ALTER ROLE CURRENT_USER PASSWORD 'pwned'",
      `ALTER ROLE ${neighbour} PASSWORD 'pwned'`,
      "DROP DATABASE postgres WITH (FORCE)",
      `DROP DATABASE ${neighbour} WITH (FORCE)`,
      `DROP DATABASE ${own} WITH (FORCE)`,
      ...Array.from({ length: 200 }, (_, i) => `CREATE DATABASE filler_${i}`),
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'data-engineer replay admin'",
      "ALTER SYSTEM SET max_connections = 3",
      "COPY (SELECT 1) TO PROGRAM 'touch /tmp/data-engineer-pwned'",
      "CREATE ROLE intruder SUPERUSER",
      "CREATE ROLE intruder",
      "GRANT pg_signal_backend TO CURRENT_USER",
      `GRANT ${OPERATOR_ROLE} TO CURRENT_USER`,
      `SET ROLE ${OPERATOR_ROLE}`,
      `ALTER DATABASE ${own} SET default_transaction_read_only = on`,
    ];
    for (const sql of attempts) await hostile.exec(sql).catch(() => undefined);
    expect(await other.query("SELECT 1 AS alive")).toEqual([{ alive: 1 }]);
    await hostile.close();
    await other.close();
    expect(await serverState()).toEqual(before);
    expect(await leftovers()).toEqual([]);
    // The next replay starts as usual: nothing read-only, a database and a role of its own.
    const next = await openPostgresEngine(operator, { deadlineMs: 60_000 });
    try {
      await next.exec("CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
      expect(await next.query("SELECT count(*)::int AS n FROM t")).toEqual([{ n: 1 }]);
    } finally {
      await next.close();
    }
  }, 60_000);

  it("posts a server error without other replays' names or the operator's", async () => {
    const [a, b] = await Promise.all([openPostgresEngine(operator, { deadlineMs: 60_000 }), openPostgresEngine(operator, { deadlineMs: 60_000 })]);
    try {
      const [nameA, nameB] = [await nameOf(a), await nameOf(b)];
      const error = await rejectionOf(
        a.exec(
          "DO $$ BEGIN RAISE EXCEPTION 'seen: %', (SELECT string_agg(datname || '/' || usename, ',') FROM pg_stat_activity WHERE datname IS NOT NULL); END $$",
        ),
      );
      expect(error).toMatchObject({ name: "ReplaySqlError", code: "P0001" });
      const message = (error as Error).message;
      expect(message).toContain("seen: ");
      expect(message).toContain(nameA);
      expect(message).not.toContain(nameB);
      expect(message).not.toContain(OPERATOR_ROLE);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("sweeps the databases and roles of a replay that never closed, and leaves a live one", async () => {
    const live = await openPostgresEngine(operator, { deadlineMs: 60_000 });
    const liveName = await nameOf(live);
    // What a process that died mid-replay leaves: made the way the engine makes it, long ago.
    const dead = "data_engineer_replay_1000000000_0123456789ab";
    const op = new pg.Client(operator);
    await op.connect();
    try {
      await op.query(`CREATE ROLE ${dead} LOGIN`);
      await op.query(`GRANT ${dead} TO CURRENT_USER`);
      await op.query(`CREATE DATABASE ${dead} OWNER ${dead}`);
    } finally {
      await op.end();
    }
    expect(await leftovers()).toContain(dead);
    const next = await openPostgresEngine(operator, { deadlineMs: 60_000 });
    const nextName = await nameOf(next);
    expect(await leftovers()).not.toContain(dead);
    expect(await leftovers()).toEqual(expect.arrayContaining([liveName, nextName]));
    expect(await live.query("SELECT 1 AS alive")).toEqual([{ alive: 1 }]);
    await Promise.all([live.close(), next.close()]);
  });
});

describe.skipIf(urls === undefined)("the operator's role (DATABASE_URL)", () => {
  const { superuser } = urls!;

  async function asSuperuser(sql: string): Promise<void> {
    const client = new pg.Client(superuser);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  function urlOf(role: string): string {
    const url = new URL(superuser);
    url.username = role;
    return url.toString();
  }

  it("is refused when it reaches a superuser role through a chain of grants, even without inheriting", async () => {
    await asSuperuser(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chain_super') THEN CREATE ROLE chain_super SUPERUSER NOLOGIN; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chain_middle') THEN CREATE ROLE chain_middle NOLOGIN NOINHERIT; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chain_operator') THEN CREATE ROLE chain_operator LOGIN CREATEDB CREATEROLE NOINHERIT; END IF;
    END $$; GRANT chain_super TO chain_middle; GRANT chain_middle TO chain_operator`);
    const error = await rejectionOf(openPostgresEngine(urlOf("chain_operator"), { deadlineMs: 30_000 }));
    expect(error).toMatchObject({ name: "ReplayUnavailableError", why: "unsupported" });
    expect((error as Error).message).toMatch(
      /the role "chain_operator" of DATABASE_URL .* is a member of chain_middle, chain_super|is a member of chain_super/,
    );
  });

  it("is refused when it reaches pg_read_all_stats through pg_monitor", async () => {
    await asSuperuser(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'monitor_operator') THEN CREATE ROLE monitor_operator LOGIN CREATEDB CREATEROLE; END IF; END $$; GRANT pg_monitor TO monitor_operator`,
    );
    const error = await rejectionOf(openPostgresEngine(urlOf("monitor_operator"), { deadlineMs: 30_000 }));
    expect((error as Error).message).toContain("pg_read_all_stats");
  });

  it("is refused without CREATEROLE, which each replay's own role needs", async () => {
    await asSuperuser(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'createdb_only') THEN CREATE ROLE createdb_only LOGIN CREATEDB; END IF; END $$`,
    );
    const error = await rejectionOf(openPostgresEngine(urlOf("createdb_only"), { deadlineMs: 30_000 }));
    expect(error).toMatchObject({ why: "unsupported", message: expect.stringContaining("lacks CREATEROLE") });
  });
});
