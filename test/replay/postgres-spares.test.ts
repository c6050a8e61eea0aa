import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplaySqlError, type ReplayEngine } from "../../src/replay/engine.js";
import { fingerprint } from "../../src/replay/fingerprint.js";
import { openPostgresEngine } from "../../src/replay/postgres-engine.js";
import { PostgresSpares, SPARE_MAX_AGE_SECONDS } from "../../src/replay/postgres-spares.js";
import { testOperatorUrls } from "./postgres-operator.js";

/**
 * Spare clones (issue 20 item 6, the replay from a cached base under 0.2 s): the replay after a
 * kept base takes a clone made after the previous replay closed. The isolation of issue 18 holds
 * for it as for a clone made at start, and the fingerprints its operator session reads are the
 * ones the replay's own session would read. Checked on the real server.
 */

const urls = await testOperatorUrls();

const BASE = `
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, state text NOT NULL DEFAULT 'open', mood mood);
CREATE INDEX orders_state ON orders (state);
CREATE VIEW open_orders AS SELECT id FROM orders WHERE state = 'open';
CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders';
GRANT SELECT ON orders TO PUBLIC;
COMMENT ON TABLE orders IS 'what was ordered';
`;

async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

describe.skipIf(urls === undefined)("spare clones of a kept base on the external engine", () => {
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

  async function replayNames(): Promise<string[]> {
    const rows = await watch<{ name: string }>(
      "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'data\\_engineer\\_replay\\_%' UNION SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'data\\_engineer\\_replay\\_%'",
    );
    return rows.map((row) => row.name).sort();
  }

  async function keptBase(spares: PostgresSpares): Promise<Uint8Array> {
    const first = await openPostgresEngine(operator, { deadlineMs: 60_000, postgresSpares: spares });
    try {
      await first.exec(BASE);
      const marker = await first.snapshot();
      if (marker === undefined) throw new Error("no template kept");
      return marker;
    } finally {
      await first.close();
    }
  }

  async function nameOf(engine: ReplayEngine): Promise<string> {
    const [row] = await engine.query("SELECT current_user AS name");
    return String(row?.name);
  }

  it("gives the next replay a role of its own with its deadline, no membership, and a database only it may enter", async () => {
    const spares = new PostgresSpares(operator);
    try {
      const marker = await keptBase(spares);
      await spares.idle();
      // The first replay's role and database are gone; the spare is a replay role and database of its own.
      const spares1 = await replayNames();
      expect(spares1).toHaveLength(1);
      const [spareName] = spares1;

      const replay = await openPostgresEngine(operator, { deadlineMs: 45_000, from: marker, postgresSpares: spares });
      try {
        const name = await nameOf(replay);
        expect(name).toBe(spareName);
        expect(replay.phases).toHaveProperty("start: claim spare clone");
        const [role] = await watch<{ connlimit: number; super: boolean; createdb: boolean; member_of: number; timeout: string[] }>(
          `SELECT r.rolconnlimit AS connlimit, r.rolsuper AS super, r.rolcreatedb AS createdb,
                  (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS member_of,
                  (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid) AS timeout
           FROM pg_roles r WHERE r.rolname = $1`,
          [name],
        );
        expect(role).toMatchObject({ connlimit: 1, super: false, createdb: false, member_of: 0 });
        // The deadline of this replay (45 s), set when it took the spare, not the spare's own.
        const timeout = Number(/^statement_timeout=(\d+)$/.exec(role?.timeout.find((s) => s.startsWith("statement_timeout")) ?? "")?.[1]);
        expect(timeout).toBeGreaterThan(30_000);
        expect(timeout).toBeLessThanOrEqual(45_000);
        const [grants] = await watch<{ public_connect: boolean }>("SELECT has_database_privilege('public', $1, 'CONNECT') AS public_connect", [name]);
        expect(grants?.public_connect).toBe(false);
        // Its objects are its own: the migration can change them.
        await replay.exec("ALTER TABLE orders ADD COLUMN note text; DROP VIEW open_orders");
      } finally {
        await replay.close();
      }
      expect(await replayNames()).not.toContain(spareName);
    } finally {
      await spares.close();
    }
    expect(await replayNames()).toEqual([]);
  }, 120_000);

  it("reads through the operator's session the fingerprints the replay's own session reads, and none inside an open transaction", async () => {
    const spares = new PostgresSpares(operator);
    try {
      const marker = await keptBase(spares);
      await spares.idle();
      const replay = await openPostgresEngine(operator, { deadlineMs: 60_000, from: marker, postgresSpares: spares });
      try {
        // Read ahead, before any session of the replay existed.
        const opening = await replay.catalogFingerprint?.();
        expect(opening).toBeDefined();
        expect(opening).toEqual(await fingerprint(replay));
        expect(opening?.entries.some((e) => e.kind === "privileges" && e.object === "table public.orders")).toBe(true);

        await replay.exec("ALTER TABLE orders ADD COLUMN note text; COMMENT ON COLUMN orders.note IS 'free text'; SET search_path = nowhere");
        const changed = await replay.catalogFingerprint?.();
        expect(changed).not.toEqual(opening);
        await replay.exec("RESET search_path");
        expect(changed).toEqual(await fingerprint(replay));

        // What an open transaction changed is not committed: the operator's session cannot see it, so it reads nothing.
        await replay.exec("BEGIN");
        await replay.exec("CREATE TABLE pending (id int)");
        expect(await replay.catalogFingerprint?.()).toBeUndefined();
        await replay.exec("ROLLBACK");
      } finally {
        await replay.close();
      }
    } finally {
      await spares.close();
    }
  }, 120_000);

  it("keeps the operator's session out of the replay's sight and reach", async () => {
    const spares = new PostgresSpares(operator);
    try {
      const marker = await keptBase(spares);
      await spares.idle();
      const replay = await openPostgresEngine(operator, { deadlineMs: 60_000, from: marker, postgresSpares: spares });
      try {
        await replay.catalogFingerprint?.();
        const sessions = await replay.query("SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND usename <> current_user");
        // The operator's session is there, and the replay sees neither its queries nor may signal it.
        expect(sessions.length).toBeGreaterThan(0);
        expect(sessions.every((s) => s.query === "<insufficient privilege>")).toBe(true);
        const error = await rejectionOf(replay.query("SELECT pg_terminate_backend($1)", [sessions[0]?.pid]));
        expect(error).toBeInstanceOf(ReplaySqlError);
        expect((error as ReplaySqlError).code).toBe("42501");
        expect(
          await replay.query("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = $1", [sessions[0]?.pid]).catch((e: unknown) => e),
        ).toBeInstanceOf(ReplaySqlError);
      } finally {
        await replay.close();
      }
    } finally {
      await spares.close();
    }
    expect(await replayNames()).toEqual([]);
  }, 120_000);

  it("drops a spare older than its age limit instead of using it, so no sweep can drop a replay that runs", async () => {
    let now = 1_000_000;
    const spares = new PostgresSpares(operator, () => now);
    try {
      const marker = await keptBase(spares);
      await spares.idle();
      const [spareName] = await replayNames();
      now += (SPARE_MAX_AGE_SECONDS + 1) * 1000;
      const replay = await openPostgresEngine(operator, { deadlineMs: 60_000, from: marker, postgresSpares: spares });
      try {
        expect(await nameOf(replay)).not.toBe(spareName);
        expect(replay.phases).toHaveProperty("start: clone base");
      } finally {
        await replay.close();
      }
      await spares.idle();
      expect(await replayNames()).not.toContain(spareName);
    } finally {
      await spares.close();
    }
    expect(await replayNames()).toEqual([]);
  }, 120_000);
});
