import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import { ReplayUnavailableError } from "../../src/replay/engine.js";
import { openPostgresEngine } from "../../src/replay/postgres-engine.js";
import { templateMarker, templateOfMarker } from "../../src/replay/postgres-templates.js";
import { createReplayRunner } from "../../src/replay/runner.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { OPERATOR_ROLE, testOperatorUrls } from "./postgres-operator.js";

/**
 * Base histories kept as template databases on the external engine (issue 20, item 6): the first
 * replay copies its database into a template, the next one starts from a clone of it. Every fact
 * the design rests on is checked here on the real server: the clone's objects belong to the new
 * replay's role, the role that built the base can still be dropped, the replay that made the
 * template goes on in a database it still owns, and no replay role can reach the template.
 */

const urls = await testOperatorUrls();

const BASE = `
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, state text NOT NULL, mood mood);
CREATE INDEX orders_state ON orders (state);
CREATE SEQUENCE invoice_numbers;
CREATE VIEW open_orders AS SELECT id FROM orders WHERE state = 'open';
CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders';
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
INSERT INTO orders (state) VALUES ('open'), ('done');
`;

async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

describe.skipIf(urls === undefined)("a base kept as a template database", () => {
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

  it("starts the next replay from a clone whose objects its own role owns, and leaves no role or database of the first", async () => {
    const first = await openPostgresEngine(operator, { deadlineMs: 60_000 });
    await first.exec(BASE);
    const [{ name: firstName } = { name: "" }] = await first.query("SELECT current_user AS name");
    const marker = await first.snapshot();
    if (marker === undefined) throw new Error("the external engine kept no template");
    const template = templateOfMarker(marker);
    expect(template).toMatch(/^data_engineer_template_\d+_[0-9a-f]{12}$/);

    // The replay that made the template goes on, in a database it still owns.
    await first.exec("CREATE TABLE after_snapshot (id int)");
    const [owned] = await watch<{ owner: string }>("SELECT datdba::regrole::text AS owner FROM pg_database WHERE datname = $1", [firstName]);
    expect(owned?.owner).toBe(firstName);
    await first.close();
    expect(await watch("SELECT rolname FROM pg_roles WHERE rolname = $1 UNION SELECT datname FROM pg_database WHERE datname = $1", [firstName])).toEqual([]);

    const second = await openPostgresEngine(operator, { deadlineMs: 60_000, from: marker });
    try {
      const [{ name: secondName } = { name: "" }] = await second.query("SELECT current_user AS name");
      const owners = await second.query(
        `SELECT DISTINCT relowner::regrole::text AS owner FROM pg_class WHERE relnamespace IN ('public'::regnamespace, 'billing'::regnamespace)
         UNION SELECT typowner::regrole::text FROM pg_type WHERE typname = 'mood'
         UNION SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'order_count'
         UNION SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'billing'`,
      );
      expect(owners).toEqual([{ owner: secondName }]);
      expect(await second.query("SELECT order_count() AS n, nextval('invoice_numbers') AS next")).toEqual([{ n: 2, next: 1 }]);
      expect(await second.query("SELECT to_regclass('after_snapshot') AS later")).toEqual([{ later: null }]);
      // Owning them, the pull request's migrations can change and drop them.
      await second.exec("ALTER TABLE orders ADD COLUMN note text; ALTER TYPE mood ADD VALUE 'glad'; DROP VIEW open_orders; DROP SCHEMA billing CASCADE");
    } finally {
      await second.close();
    }

    const [kept] = await watch<{ owner: string; allowconn: boolean; acl: string | null }>(
      "SELECT datdba::regrole::text AS owner, datallowconn AS allowconn, datacl::text AS acl FROM pg_database WHERE datname = $1",
      [template],
    );
    // The operator's, closed to connections, nothing granted to PUBLIC.
    expect(kept).toMatchObject({ owner: OPERATOR_ROLE, allowconn: false });
    expect(kept?.acl ?? "").not.toMatch(/(^|[{,])=/);
    expect(await watch("SELECT datname FROM pg_database WHERE datname LIKE 'data\\_engineer\\_replay\\_%'")).toEqual([]);
    expect(await watch("SELECT rolname FROM pg_roles WHERE rolname LIKE 'data\\_engineer\\_replay\\_%'")).toEqual([]);
  }, 120_000);

  it("is an engine error when the marker's template is gone, so the caller builds the base again", async () => {
    const error = await rejectionOf(openPostgresEngine(operator, { deadlineMs: 30_000, from: templateMarker("data_engineer_template_1_000000000000") }));
    expect(error).toBeInstanceOf(ReplayUnavailableError);
    expect((error as ReplayUnavailableError).why).toBe("engine");
    const unreadable = await rejectionOf(openPostgresEngine(operator, { deadlineMs: 30_000, from: new Uint8Array([1, 2, 3]) }));
    expect((unreadable as ReplayUnavailableError).why).toBe("engine");
    expect(await watch("SELECT rolname FROM pg_roles WHERE rolname LIKE 'data\\_engineer\\_replay\\_%'")).toEqual([]);
  }, 60_000);

  it("reads a marker only when it names a template of ours", () => {
    expect(templateOfMarker(templateMarker("data_engineer_template_17_0123456789ab"))).toBe("data_engineer_template_17_0123456789ab");
    expect(() => templateMarker('x"; DROP DATABASE postgres; --')).toThrow();
    const forged = new TextEncoder().encode('data-engineer postgres template v1\ndata_engineer_template_1_0"; drop\n');
    expect(templateOfMarker(forged)).toBeUndefined();
  });
});

describe.skipIf(urls === undefined)("the replay of a pull request on the external engine, twice on one base", () => {
  it("builds the base once, then starts from its template with the same outcome", async () => {
    await loadSqlParser();
    const cacheDir = mkdtempSync(join(tmpdir(), "de-pg-template-cache-"));
    try {
      const runner = createReplayRunner({ env: { DATABASE_URL: urls!.operator }, cacheDir });
      const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true, engine: "postgres" } };
      const files = [
        { path: "migrations/2026-01-01-000000_orders/up.sql", text: "CREATE TABLE orders (id bigint PRIMARY KEY, state text NOT NULL);\n" },
        { path: "migrations/2026-01-01-000000_orders/down.sql", text: "DROP TABLE orders;\n" },
        { path: "migrations/2026-02-01-000000_note/up.sql", text: "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_state ON orders (state);\n" },
        { path: "migrations/2026-02-01-000000_note/down.sql", text: "DROP INDEX orders_state;\n" },
      ];
      const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));
      const built = await runner.run({ files, changed, config }, { installationId: 1 });
      const cached = await runner.run({ files, changed, config }, { installationId: 2 });
      expect(built.status, built.reason).toBe("replayed");
      expect([built.fromCache, cached.fromCache]).toEqual([false, true]);
      expect(cached.migrations).toEqual(built.migrations);
      expect(cached.findings).toEqual(built.findings);
      // The down forgot the column: found both times.
      expect(built.findings.some((f) => f.rule === "replay-down-mismatch" && /note/.test(f.message))).toBe(true);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 180_000);
});
