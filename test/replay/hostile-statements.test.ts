import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import type { SourceFile } from "../../src/migrations/model.js";
import type { ReplayEngine, Row } from "../../src/replay/engine.js";
import type { ReplayCache, ReplayTools } from "../../src/replay/replay-migrations.js";
import { verifyByReplay } from "../../src/replay/verify.js";
import { loadSqlParser } from "../../src/sql/parse.js";

await loadSqlParser();

/**
 * What the replay sends to its engine, seen through an engine that records every call: statements
 * that change roles, databases or the server never reach a shared server; role names never reach
 * SQL text inside a $$ body; a shared base image holds only the base history's roles.
 */

type Call = { exec: string } | { query: string; params: readonly unknown[] } | { snapshot: true };

class RecordingEngine implements ReplayEngine {
  readonly version = "PostgreSQL 17.0";
  readonly calls: Call[] = [];
  readonly roles = new Set<string>();
  constructor(readonly kind: "pglite" | "postgres") {}
  exec(sql: string): Promise<void> {
    this.calls.push({ exec: sql });
    const created = /^CREATE ROLE "((?:[^"]|"")+)" NOLOGIN$/.exec(sql)?.[1];
    if (created !== undefined) this.roles.add(created.replaceAll('""', '"'));
    return Promise.resolve();
  }
  query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.calls.push({ query: sql, params });
    if (sql.includes("FROM pg_roles") && this.roles.has(String(params[0]))) return Promise.resolve([{ "?column?": 1 }]);
    return Promise.resolve([]);
  }
  snapshot(): Promise<Uint8Array | undefined> {
    this.calls.push({ snapshot: true });
    return Promise.resolve(this.kind === "pglite" ? new Uint8Array([1]) : undefined);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  executed(): string[] {
    return this.calls.flatMap((call) => ("exec" in call ? [call.exec] : []));
  }
}

const tools: ReplayTools<string> = {
  fingerprint: () => Promise.resolve(""),
  diff: () => [],
  trace: async (db, sql) => {
    await db.exec(sql);
    return { locks: [], rewritten: [], relations: new Map() };
  },
};

const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true } };

function diesel(migrations: Record<string, { up: string; down: string }>): SourceFile[] {
  return Object.entries(migrations).flatMap(([name, m]) => [
    { path: `migrations/${name}/up.sql`, text: m.up },
    { path: `migrations/${name}/down.sql`, text: m.down },
  ]);
}

const BASE = { "2026-01-01-000000_create_users": { up: "CREATE TABLE users (id bigint PRIMARY KEY);\n", down: "DROP TABLE users;\n" } };

async function replayOn(engine: RecordingEngine, pullRequest: { up: string; down: string }, cache?: ReplayCache) {
  const files = diesel({ ...BASE, "2026-02-01-000000_change": pullRequest });
  const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));
  return verifyByReplay({ files, changed, config }, { openEngine: () => Promise.resolve(engine), tools, ...(cache ? { cache } : {}) });
}

describe("statements that reach beyond the scratch database, on the external engine", () => {
  it.each([
    ["ALTER ROLE CURRENT_USER SET default_transaction_read_only = on;", "changes a role's settings"],
    ["ALTER ROLE app PASSWORD 'pwned';", "alters a role"],
    ["ALTER USER app WITH SUPERUSER;", "alters a role"],
    ["CREATE USER intruder;", "creates a role"],
    ["DROP GROUP admins;", "drops a role"],
    ["DROP DATABASE postgres WITH (FORCE);", "drops a database"],
    ["CREATE DATABASE filler;", "creates a database"],
    ["ALTER DATABASE postgres SET default_transaction_read_only = on;", "changes a database's settings"],
    ["ALTER SYSTEM SET max_connections = 1;", "ALTER SYSTEM"],
    ["COPY users FROM PROGRAM 'id';", "COPY … PROGRAM"],
    ["COPY users TO '/tmp/users.csv';", "to or from a file"],
    ["SELECT pg_terminate_backend(pid) FROM pg_stat_activity;", "calls pg_terminate_backend()"],
    ["SELECT pg_catalog.pg_cancel_backend(42);", "calls pg_cancel_backend()"],
    ["GRANT pg_signal_backend TO CURRENT_USER;", "changes role membership"],
  ])("refuses %s before sending anything of the migration, as not replayable", async (statement, reason) => {
    const engine = new RecordingEngine("postgres");
    const outcome = await replayOn(engine, { up: `ALTER TABLE users ADD COLUMN email text;\n${statement}\n`, down: "ALTER TABLE users DROP COLUMN email;\n" });
    expect(outcome.status).toBe("unavailable");
    expect(outcome.reason).toContain("not replayable on a shared PostgreSQL server: migrations/2026-02-01-000000_change/up.sql:2");
    expect(outcome.reason).toContain(reason);
    expect(engine.executed().some((sql) => sql.includes("users"))).toBe(false);
  });

  it("refuses such a statement in a down section too", async () => {
    const engine = new RecordingEngine("postgres");
    const outcome = await replayOn(engine, {
      up: "ALTER TABLE users ADD COLUMN email text;\n",
      down: "ALTER TABLE users DROP COLUMN email;\nDROP ROLE app;\n",
    });
    expect(outcome.reason).toContain("down.sql:2 drops a role");
    expect(engine.executed()).toEqual([]);
  });

  it("sends the same statements to the embedded engine, a database of the replay's own", async () => {
    const engine = new RecordingEngine("pglite");
    const outcome = await replayOn(engine, { up: "CREATE ROLE reporting;\n", down: "DROP ROLE reporting;\n" });
    expect(outcome.status).toBe("replayed");
    expect(engine.executed()).toContain("CREATE ROLE reporting");
  });
});

describe("roles the migrations name (the embedded engine)", () => {
  it("creates a role whose name holds $$ from a bound name and a quoted identifier, never inside a $$ body", async () => {
    const engine = new RecordingEngine("pglite");
    const name = "x$$; COPY users TO PROGRAM 'id'; $$";
    await replayOn(engine, { up: `GRANT SELECT ON users TO "${name}";\n`, down: `REVOKE SELECT ON users FROM "${name}";\n` });
    expect(engine.calls).toContainEqual({ query: "SELECT 1 FROM pg_roles WHERE rolname = $1", params: [name] });
    expect(engine.executed()).toContain(`CREATE ROLE "${name}" NOLOGIN`);
    expect(engine.executed().filter((sql) => sql.includes("$$") && !sql.startsWith("GRANT") && !sql.startsWith("REVOKE"))).toEqual([
      `CREATE ROLE "${name}" NOLOGIN`,
    ]);
  });

  it("bakes only the base history's roles into the shared base image; the pull request's come after it", async () => {
    const engine = new RecordingEngine("pglite");
    const stored: string[] = [];
    const cache: ReplayCache = { get: () => Promise.resolve(undefined), put: (key) => (stored.push(key), Promise.resolve()) };
    const files = diesel({
      "2026-01-01-000000_create_users": {
        up: "CREATE TABLE users (id bigint PRIMARY KEY);\nGRANT SELECT ON users TO base_reader;\n",
        down: "DROP TABLE users;\n",
      },
      "2026-02-01-000000_change": { up: "GRANT SELECT ON users TO pr_reader;\n", down: "REVOKE SELECT ON users FROM pr_reader;\n" },
    });
    const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));
    await verifyByReplay({ files, changed, config }, { openEngine: () => Promise.resolve(engine), tools, cache });
    const order = engine.calls.map((call) => ("snapshot" in call ? "snapshot" : "exec" in call ? call.exec : ""));
    expect(stored).toHaveLength(1);
    expect(order.indexOf('CREATE ROLE "base_reader" NOLOGIN')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('CREATE ROLE "base_reader" NOLOGIN')).toBeLessThan(order.indexOf("snapshot"));
    expect(order.indexOf('CREATE ROLE "pr_reader" NOLOGIN')).toBeGreaterThan(order.indexOf("snapshot"));
  });
});
