import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import type { ReplayEngine, Row } from "../../src/replay/engine.js";
import type { ReplayTools } from "../../src/replay/replay-migrations.js";
import { firstRefusedStatement } from "../../src/replay/refused-statements.js";
import type { RelationCatalog } from "../../src/replay/trace-locks.js";
import { useReplayAnalyser, verifyByReplay, type ReplayAnalyser } from "../../src/replay/verify.js";
import { AnalysisPool } from "../../src/review/analysis-pool.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { loadSqlParser } from "../../src/sql/parse.js";

/**
 * Issue 18: the replay's analysis runs in the analysis pool and crosses with only the parts of the
 * trees the replay reads (src/review/analysis-replay-trees.ts). Proof that nothing it reads is
 * lost: the same folder replayed on an engine that records every call, once analysed on this
 * thread with whole trees and once in the pool, sends the same SQL in the same order (roles
 * created, transactions opened and closed as the SQL's own BEGIN/COMMIT say, extensions loaded),
 * and the external engine refuses the same statements for the same reasons.
 */

await loadSqlParser();

const pool = new AnalysisPool({ workers: 1, reviewDeadlineMs: 120_000, migrationDeadlineMs: 60_000, memoryMb: 512 });
afterAll(() => pool.close());
afterEach(() => useReplayAnalyser(undefined));

const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true } };

/** A golang-migrate folder: a base migration, and the pull request's, which names roles, calls functions and controls its transaction. */
const FILES: SourceFile[] = [
  {
    path: "db/migrations/0001_base.up.sql",
    text:
      "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n" +
      "CREATE TABLE accounts (id bigint PRIMARY KEY, created timestamptz DEFAULT now(), token text DEFAULT gen_random_uuid()::text);\n" +
      "GRANT SELECT ON accounts TO app_reader;\n" +
      "ALTER TABLE accounts OWNER TO app_owner;\n",
  },
  { path: "db/migrations/0001_base.down.sql", text: "DROP TABLE accounts;\n" },
  {
    path: "db/migrations/0002_change.up.sql",
    text:
      "BEGIN;\n" +
      "ALTER TABLE accounts ADD COLUMN email text;\n" +
      "COMMIT;\n" +
      "CREATE SCHEMA reporting AUTHORIZATION reporting_owner;\n" +
      "ALTER DEFAULT PRIVILEGES IN SCHEMA reporting GRANT SELECT ON TABLES TO analyst;\n" +
      "INSERT INTO accounts (id) VALUES (1), (2);\n" +
      "CREATE EXTENSION IF NOT EXISTS citext;\n" +
      "SELECT coalesce(length(pg_catalog.pg_read_file('/etc/passwd')), 0);\n" +
      "COPY accounts FROM PROGRAM 'id';\n" +
      "COPY accounts TO '/tmp/accounts';\n" +
      "CREATE ROLE member IN ROLE group_role;\n" +
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity;\n",
  },
  { path: "db/migrations/0002_change.down.sql", text: "DROP SCHEMA reporting;\nALTER TABLE accounts DROP COLUMN email;\n" },
];
const CHANGED = new Set(["db/migrations/0002_change.up.sql", "db/migrations/0002_change.down.sql"]);

interface Recorded {
  calls: string[];
  extensions: Array<readonly string[]>;
}

/** An engine that succeeds at everything and records what it is sent; no role exists yet. */
function recordingEngine(kind: ReplayEngine["kind"], recorded: Recorded): ReplayEngine {
  return {
    kind,
    version: "PostgreSQL 17.5",
    exec: (sql) => {
      recorded.calls.push(`exec ${sql}`);
      return Promise.resolve();
    },
    query: (sql: string, params?: readonly unknown[]): Promise<Row[]> => {
      recorded.calls.push(`query ${sql} ${JSON.stringify(params ?? [])}`);
      return Promise.resolve([]);
    },
    snapshot: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}

const tools = (recorded: Recorded): ReplayTools<string> => ({
  fingerprint: () => Promise.resolve("schema"),
  diff: () => [],
  trace: (_db, sql) => {
    recorded.calls.push(`trace ${sql}`);
    return Promise.resolve({ locks: [], rewritten: [], relations: new Map() as RelationCatalog });
  },
});

async function replayWith(kind: ReplayEngine["kind"]) {
  const recorded: Recorded = { calls: [], extensions: [] };
  const outcome = await verifyByReplay(
    { files: FILES, changed: CHANGED, config },
    {
      openEngine: (options) => {
        recorded.extensions.push(options.extensions ?? []);
        return Promise.resolve(recordingEngine(kind, recorded));
      },
      tools: tools(recorded),
      now: () => 0,
    },
  );
  return { outcome: { ...outcome, durationMs: 0 }, recorded };
}

/** The pool as the server sets it (src/review/analyse.ts), counting its calls. */
function pooled(): { analyser: ReplayAnalyser; calls: () => number } {
  let calls = 0;
  return {
    analyser: async (files, migrations, cfg) => {
      calls++;
      const { result, notReviewed } = await pool.analyse(files, migrations, cfg, "replay");
      return { result, notAnalysed: notReviewed };
    },
    calls: () => calls,
  };
}

describe("the replay's analysis in the pool", () => {
  it("sends the embedded engine the same SQL as an analysis on this thread: roles, transactions, extensions", async () => {
    const here = await replayWith("pglite");
    const viaPool = pooled();
    useReplayAnalyser(viaPool.analyser);
    const there = await replayWith("pglite");

    expect(viaPool.calls()).toBe(1);
    // The same outcome but for how long each phase took (phase timings differ from run to run).
    const untimed = (replay: typeof here) => ({ ...replay, outcome: { ...replay.outcome, phases: undefined } });
    expect(untimed(there)).toEqual(untimed(here));
    expect(here.outcome.status).toBe("replayed");
    const created = here.recorded.calls.filter((call) => call.startsWith("exec CREATE ROLE"));
    // Not group_role: the replay does not look inside a CREATE ROLE, which the migration runs itself.
    expect(created).toEqual(["app_reader", "app_owner", "reporting_owner", "analyst"].map((role) => `exec CREATE ROLE "${role}" NOLOGIN`));
    expect(here.recorded.extensions).toEqual([["pgcrypto", "citext"]]);
    // The SQL's own BEGIN and COMMIT are sent as they are, not wrapped in a transaction of the replay's.
    expect(here.recorded.calls).toContain("exec BEGIN");
    expect(here.recorded.calls).toContain("exec COMMIT");
  });

  it("has the external engine refuse the same statements for the same reasons", async () => {
    const migrations = detectMigrations(FILES);
    const here = analyzeMigrations(FILES, migrations, { config }).migrations.flatMap((m) => m.sections.flatMap((s) => s.statements));
    const { result } = await pool.analyse(FILES, migrations, config, "replay");
    const there = result.migrations.flatMap((m) => m.sections.flatMap((s) => s.statements));
    const reasons = (statements: typeof here) => statements.map((statement) => firstRefusedStatement([statement])?.reason ?? "");

    expect(reasons(there)).toEqual(reasons(here));
    expect(reasons(here).filter((reason) => reason !== "")).toEqual([
      "calls pg_read_file(), which reaches beyond its own database",
      "runs a program on the database server (COPY … PROGRAM)",
      "reads or writes a file on the database server (COPY … to or from a file)",
      "creates a role",
      "calls pg_terminate_backend(), which reaches beyond its own database",
    ]);

    useReplayAnalyser(pooled().analyser);
    const external = await replayWith("postgres");
    expect(external.outcome.reason).toBe(
      "not replayable on a shared PostgreSQL server: db/migrations/0002_change.up.sql:8 calls pg_read_file(), which reaches beyond its own database",
    );
  });

  it("crosses an INSERT of plain values without its tree, and a call's name with only the path to it", async () => {
    const migrations = detectMigrations(FILES);
    const { result } = await pool.analyse(FILES, migrations, config, "replay");
    const byText = new Map(result.migrations.flatMap((m) => m.sections.flatMap((s) => s.statements.map((st) => [st.text, st.node] as const))));

    expect(byText.get("INSERT INTO accounts (id) VALUES (1), (2)")).toEqual({ InsertStmt: {} });
    expect(JSON.stringify(byText.get("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"))).toBe(
      JSON.stringify({ SelectStmt: { targetList: [{ ResTarget: { val: { FuncCall: { funcname: [{ String: { sval: "pg_terminate_backend" } }] } } } }] } }),
    );
  });

  it("leaves the folder unreplayed, saying why, when the pool could not analyse one of its files", async () => {
    useReplayAnalyser((_files, migrations) =>
      Promise.resolve({
        result: { migrations: [], findings: [] },
        notAnalysed: [{ path: migrations[0]?.files[0] ?? "", reason: "analysis took longer than 20 s" }],
      }),
    );
    const { outcome, recorded } = await replayWith("pglite");

    expect(outcome.status).toBe("unavailable");
    expect(outcome.reason).toBe("db/migrations not replayed: db/migrations/0001_base.up.sql was not analysed: analysis took longer than 20 s");
    expect(recorded.calls).toEqual([]);
  });
});
