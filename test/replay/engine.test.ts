import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplaySqlError, ReplayUnavailableError, type ReplayEngine } from "../../src/replay/engine.js";
import { openReplayEngine } from "../../src/replay/open-engine.js";
import { openPgliteEngine, pgliteShipsExtension } from "../../src/replay/pglite-engine.js";
import type * as PgliteEngineModule from "../../src/replay/pglite-engine.js";
import { openPostgresEngine } from "../../src/replay/postgres-engine.js";
import { isRunning, registerChild } from "../helpers/child-registry.js";
import { testOperatorUrls } from "./postgres-operator.js";

/**
 * Both replay engines against real databases: PGlite in its own process, and a throwaway
 * PostgreSQL server (test/helpers/postgres.ts). A PGlite start costs seconds and about 0.5 GB, so
 * the PGlite tests share one fresh instance and start the others from its snapshot.
 */

const RUNAWAY_SLEEP = "SELECT pg_sleep(600)";
const RUNAWAY_RECURSION = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT count(*) FROM r";

async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

/** The compiled engine from dist/ (globalSetup builds it): its errors are dist's classes, so checked by name. */
async function distPgliteEngine(): Promise<typeof PgliteEngineModule> {
  return (await import(pathToFileURL(join(import.meta.dirname, "../../dist/replay/pglite-engine.js")).href)) as typeof PgliteEngineModule;
}

function expectUnavailable(error: unknown, why: ReplayUnavailableError["why"]): void {
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("ReplayUnavailableError");
  expect((error as ReplayUnavailableError).why).toBe(why);
}

/** Whether the process ends (or is a zombie) within `ms`: polled, as its parent may be another process. */
async function endsWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (!isRunning({ pid, startTicks: null })) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the PGlite engine", () => {
  let engine: ReplayEngine;
  let snapshot: Uint8Array;

  beforeAll(async () => {
    // From the TypeScript sources: the process runs src/replay/pglite-worker.ts (Node strips types).
    engine = await openPgliteEngine({ deadlineMs: 600_000, extensions: ["citext"] });
    await engine.exec(
      "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL); INSERT INTO accounts VALUES (1, 'a@example.com'), (2, 'b@example.com');",
    );
    snapshot = (await engine.snapshot())!;
  }, 90_000);

  afterAll(async () => {
    await engine?.close();
  });

  it("runs statements and returns rows, with PostgreSQL 18's version", async () => {
    expect(engine.kind).toBe("pglite");
    expect(engine.version).toMatch(/^PostgreSQL 18\.\d+ \(PGlite/);
    await engine.exec("INSERT INTO accounts VALUES (3, 'c@example.com'); UPDATE accounts SET email = upper(email) WHERE id = 3;");
    expect(await engine.query("SELECT id, email FROM accounts WHERE id >= $1 ORDER BY id", [2])).toEqual([
      { id: 2, email: "b@example.com" },
      { id: 3, email: "C@EXAMPLE.COM" },
    ]);
    await engine.exec("DELETE FROM accounts WHERE id = 3");
  });

  it("gives a refused statement as ReplaySqlError with its SQLSTATE and 1-based position, and goes on", async () => {
    const sql = "SELECT 1;\nSELECT nope FROM accounts";
    const error = await rejectionOf(engine.exec(sql));
    expect(error).toBeInstanceOf(ReplaySqlError);
    expect(error).toMatchObject({ code: "42703", message: 'column "nope" does not exist', position: sql.indexOf("nope") + 1 });
    const unknownTable = await rejectionOf(engine.query("SELECT * FROM missing"));
    expect(unknownTable).toMatchObject({ name: "ReplaySqlError", code: "42P01", position: 15 });
    expect(await engine.query("SELECT count(*)::int AS n FROM accounts")).toEqual([{ n: 2 }]);
  });

  it("loads an extension PGlite ships, so that CREATE EXTENSION works", async () => {
    await engine.exec("CREATE EXTENSION citext; CREATE TABLE tags (name citext PRIMARY KEY); INSERT INTO tags VALUES ('Postgres');");
    expect(await engine.query("SELECT name FROM tags WHERE name = 'POSTGRES'")).toEqual([{ name: "Postgres" }]);
  });

  it("refuses an extension PGlite does not ship before starting anything", async () => {
    const started = Date.now();
    const error = await rejectionOf(openPgliteEngine({ deadlineMs: 60_000, extensions: ["citext", "postgis"] }));
    expect(error).toBeInstanceOf(ReplayUnavailableError);
    expect(error).toMatchObject({ why: "unsupported", message: 'extension "postgis" is not available in the embedded Postgres' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(pgliteShipsExtension("uuid-ossp")).toBe(true);
    expect(pgliteShipsExtension("plpgsql")).toBe(true);
    expect(pgliteShipsExtension("vector")).toBe(false);
  });

  it("starts the compiled engine (dist/, its process pglite-worker.js) from a snapshot, with the tables and rows", async () => {
    const { openPgliteEngine: openCompiled } = await distPgliteEngine();
    const restored = await openCompiled({ deadlineMs: 120_000, from: snapshot });
    try {
      expect(await restored.query("SELECT id, email FROM accounts ORDER BY id")).toEqual([
        { id: 1, email: "a@example.com" },
        { id: 2, email: "b@example.com" },
      ]);
    } finally {
      await restored.close();
    }
    await restored.close();
    expectUnavailable(await rejectionOf(restored.query("SELECT 1")), "engine");
  }, 60_000);

  it("reports an engine that cannot start (bytes that are no snapshot) as unavailable", async () => {
    const error = await rejectionOf(openPgliteEngine({ deadlineMs: 60_000, from: new Uint8Array([1, 2, 3]) }));
    expectUnavailable(error, "engine");
    expect((error as Error).message).toMatch(/^the embedded Postgres did not start: /);
  }, 30_000);

  it.each([
    ["pg_sleep(600)", RUNAWAY_SLEEP],
    ["a recursive CTE without end", RUNAWAY_RECURSION],
  ])(
    "ends %s at the deadline and kills its process",
    async (_name, sql) => {
      const deadlineMs = 12_000;
      const opened = Date.now();
      const runaway = await openPgliteEngine({ deadlineMs, from: snapshot });
      const error = await rejectionOf(runaway.query(sql));
      const elapsed = Date.now() - opened;
      expectUnavailable(error, "deadline");
      expect((error as Error).message).toBe("the replay ran past 12 s, its time limit");
      expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - 50);
      expect(elapsed).toBeLessThan(deadlineMs + 3_000);
      // The process is gone (a live one would use most of a core), and every later call rejects the same way.
      expect(await endsWithin(runaway.pid!, 2_000)).toBe(true);
      expectUnavailable(await rejectionOf(runaway.exec("SELECT 1")), "deadline");
      expectUnavailable(await rejectionOf(runaway.snapshot()), "deadline");
      await runaway.close();
      await runaway.close();
    },
    30_000,
  );

  it("runs PGlite in a process of its own, without the server's environment, which close ends", async () => {
    process.env.DATA_ENGINEER_TEST_SECRET = "not-for-the-replay";
    let own;
    try {
      own = await openPgliteEngine({ deadlineMs: 60_000, from: snapshot });
    } finally {
      delete process.env.DATA_ENGINEER_TEST_SECRET;
    }
    const pid = own.pid!;
    try {
      expect(pid).not.toBe(process.pid);
      expect(isRunning({ pid, startTicks: null })).toBe(true);
      // The process runs the pull request's SQL: the server's secrets are not in its environment.
      if (existsSync(`/proc/${pid}/environ`)) expect(readFileSync(`/proc/${pid}/environ`, "utf8")).not.toContain("not-for-the-replay");
      expect(await own.query("SELECT count(*)::int AS n FROM accounts")).toEqual([{ n: 2 }]);
    } finally {
      await own.close();
    }
    // close() resolves once the process has exited: its memory is the system's again.
    expect(isRunning({ pid, startTicks: null })).toBe(false);
    expectUnavailable(await rejectionOf(own.query("SELECT 1")), "engine");
  }, 60_000);

  it("kills PGlite's process in the middle of a statement when closed (what a superseded review's abort does)", async () => {
    const busy = await openPgliteEngine({ deadlineMs: 60_000, from: snapshot });
    const pid = busy.pid!;
    const running = rejectionOf(busy.query(RUNAWAY_SLEEP));
    await busy.close();
    expect(isRunning({ pid, startTicks: null })).toBe(false);
    const error = await running;
    expectUnavailable(error, "engine");
    expect((error as Error).message).toBe("the replay engine is closed");
  }, 60_000);

  it.each([
    ["is killed", "kill"],
    ["exits", "exit"],
  ])(
    "ends PGlite's process, even in the middle of a query, when the process that opened it %s",
    async (_how, mode) => {
      const dir = mkdtempSync(join(tmpdir(), "de-pglite-parent-"));
      const image = join(dir, "base.tar.gz");
      writeFileSync(image, snapshot);
      const engineUrl = pathToFileURL(join(import.meta.dirname, "../../dist/replay/pglite-engine.js")).href;
      const script = [
        `const { openPgliteEngine } = await import(${JSON.stringify(engineUrl)});`,
        `const { readFileSync } = await import("node:fs");`,
        `const engine = await openPgliteEngine({ deadlineMs: 60_000, from: new Uint8Array(readFileSync(${JSON.stringify(image)})) });`,
        `void engine.query(${JSON.stringify(RUNAWAY_SLEEP)}).catch(() => undefined);`,
        `process.stdout.write(engine.pid + "\\n");`,
        mode === "exit" ? `setTimeout(() => process.exit(0), 300);` : "",
      ].join("\n");
      const opener = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      registerChild(opener.pid, "a test's process that opens a PGlite engine");
      let enginePid: number | undefined;
      try {
        let out = "";
        opener.stdout.setEncoding("utf8");
        enginePid = await new Promise<number>((resolve, reject) => {
          opener.stdout.on("data", (chunk: string) => {
            out += chunk;
            if (out.includes("\n")) resolve(Number(out.trim()));
          });
          opener.once("exit", (code) => reject(new Error(`the opener exited (${code}) before the engine started`)));
        });
        registerChild(enginePid, "PGlite's process, opened by a test's process");
        expect(isRunning({ pid: enginePid, startTicks: null })).toBe(true);
        if (mode === "kill") opener.kill("SIGKILL");
        // Killed: the engine's own watch of its parent (every 250 ms); exiting: the opener's exit hook.
        expect(await endsWithin(enginePid, 5_000)).toBe(true);
      } finally {
        if (opener.exitCode === null && opener.signalCode === null) opener.kill("SIGKILL");
        if (enginePid !== undefined && isRunning({ pid: enginePid, startTicks: null })) process.kill(enginePid, "SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  // PGlite's memory is in two places V8's heap limit does not see: Postgres' own (WASM linear
  // memory: string_agg) and its in-memory files (ArrayBuffers: the temp file a function scan
  // spills to). The limit is the process's resident set: a start from a snapshot holds about
  // 210-240 MB; each query here wants 700 MB or more.
  it.each([
    ["in Postgres' own memory", "SELECT length(string_agg(g::text, ',')) FROM generate_series(1, 30000000) g"],
    ["in temporary files", "SELECT count(*) FROM generate_series(1, 20000000)"],
  ])(
    "ends a statement that needs more memory than the limit %s",
    async (_where, sql) => {
      const hungry = await openPgliteEngine({ deadlineMs: 120_000, memoryMb: 400, from: snapshot });
      const started = Date.now();
      const error = await rejectionOf(hungry.query(sql));
      expectUnavailable(error, "memory");
      expect((error as Error).message).toBe("the replay needed more than 400 MB of memory");
      expect(Date.now() - started).toBeLessThan(30_000);
      expectUnavailable(await rejectionOf(hungry.query("SELECT 1")), "memory");
      await hungry.close();
    },
    60_000,
  );
});

/** The replays are made by a role with CREATEDB and CREATEROLE only; the superuser watches. */
const urls = await testOperatorUrls();
const superuserUrl = urls?.superuser;
const postgresUrl = urls?.operator;

describe.skipIf(postgresUrl === undefined)("the external PostgreSQL engine", () => {
  const url = postgresUrl!;
  let admin: pg.Client;

  it("refuses a DATABASE_URL whose role could reach beyond its scratch database", async () => {
    const error = await openPostgresEngine(superuserUrl!, { deadlineMs: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReplayUnavailableError);
    expect((error as ReplayUnavailableError).why).toBe("unsupported");
    expect((error as Error).message).toMatch(/the role "postgres" of DATABASE_URL .* is a superuser.*refuses such a role/);
    expect(await scratchDatabases()).toEqual([]);
  });

  beforeAll(async () => {
    admin = new pg.Client(url);
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
  });

  async function scratchDatabases(): Promise<string[]> {
    const result = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'data\\_engineer\\_replay\\_%'");
    return result.rows.map((row) => row.datname);
  }

  it("works in a scratch database of its own and drops it at close", async () => {
    const engine = await openPostgresEngine(url, { deadlineMs: 60_000 });
    expect(engine.kind).toBe("postgres");
    expect(engine.version).toMatch(/^PostgreSQL \d+/);
    const [current] = await engine.query("SELECT current_database() AS name");
    const name = String(current?.name);
    expect(name).toMatch(/^data_engineer_replay_\d+_[0-9a-f]{12}$/);
    expect(await scratchDatabases()).toContain(name);
    // The server stops a statement at the deadline too: statement_timeout is the time left then.
    const [timeout] = await engine.query("SELECT setting::int AS ms FROM pg_settings WHERE name = 'statement_timeout'");
    expect(timeout?.ms).toBeGreaterThan(50_000);
    expect(timeout?.ms).toBeLessThanOrEqual(60_000);

    await engine.exec(
      "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL); INSERT INTO accounts VALUES (1, 'a@example.com'), (2, 'b@example.com');",
    );
    expect(await engine.query("SELECT id, email FROM accounts WHERE id >= $1 ORDER BY id", [1])).toEqual([
      { id: 1, email: "a@example.com" },
      { id: 2, email: "b@example.com" },
    ]);
    // Rows are shaped like PGlite's: int8 as a number, name[] as an array, interval as text.
    expect(await engine.query("SELECT 7::int8 AS n, ARRAY['a']::name[] AS names, '1 day'::interval AS span")).toEqual([{ n: 7, names: ["a"], span: "1 day" }]);
    // A snapshot keeps the database as a template (test/replay/postgres-template.test.ts) and the replay goes on.
    expect(new TextDecoder().decode(await engine.snapshot())).toMatch(/^data-engineer postgres template v1\ndata_engineer_template_/);
    expect(await engine.query("SELECT count(*)::int AS n FROM accounts")).toEqual([{ n: 2 }]);

    await engine.close();
    await engine.close();
    expect(await scratchDatabases()).not.toContain(name);
    expectUnavailable(await rejectionOf(engine.query("SELECT 1")), "engine");
  });

  it("gives a refused statement as ReplaySqlError with its SQLSTATE and 1-based position", async () => {
    const engine = await openPostgresEngine(url, { deadlineMs: 60_000 });
    try {
      const sql = "SELECT 1;\nSELECT nope FROM pg_class";
      const error = await rejectionOf(engine.exec(sql));
      expect(error).toBeInstanceOf(ReplaySqlError);
      expect(error).toMatchObject({ code: "42703", message: 'column "nope" does not exist', position: sql.indexOf("nope") + 1 });
      // The SQL's own statement_timeout is the SQL's business, not the deadline.
      await engine.exec("SET statement_timeout = '50ms'");
      expect(await rejectionOf(engine.query("SELECT pg_sleep(1)"))).toMatchObject({ name: "ReplaySqlError", code: "57014" });
      expect(await engine.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await engine.close();
    }
  });

  it.each([
    ["pg_sleep(600)", RUNAWAY_SLEEP],
    ["a recursive CTE without end", RUNAWAY_RECURSION],
  ])("ends %s at the deadline and stops its backend", async (_name, sql) => {
    const deadlineMs = 2_000;
    const opened = Date.now();
    const engine = await openPostgresEngine(url, { deadlineMs });
    const [current] = await engine.query("SELECT current_database() AS name");
    const error = await rejectionOf(engine.query(sql));
    const elapsed = Date.now() - opened;
    expectUnavailable(error, "deadline");
    expect((error as Error).message).toBe("the replay ran past 2 s, its time limit");
    expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(elapsed).toBeLessThan(deadlineMs + 2_000);
    expectUnavailable(await rejectionOf(engine.exec("SELECT 1")), "deadline");
    const sessionsIn = async (database: unknown) => {
      const result = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [database]);
      return result.rows[0]?.n;
    };
    await expect.poll(() => sessionsIn(current?.name), { timeout: 5_000 }).toBe(0);
    await engine.close();
    expect(await scratchDatabases()).not.toContain(current?.name);
  });

  it("says which server it could not reach, never the password", async () => {
    const unreachable = "postgres://replayer:hunter2-secret@127.0.0.1:1/postgres";
    const refused = await rejectionOf(openPostgresEngine(unreachable, { deadlineMs: 10_000 }));
    expectUnavailable(refused, "engine");
    expect((refused as Error).message).toContain("could not connect to PostgreSQL at postgres://replayer@127.0.0.1:1/postgres");
    expect((refused as Error).message).not.toContain("hunter2");

    // The server repeats the database name: here it is the password, and still masked.
    const withPassword = new URL(url);
    withPassword.password = "hunter2-secret";
    withPassword.pathname = "/hunter2-secret";
    const missing = await rejectionOf(openPostgresEngine(withPassword.toString(), { deadlineMs: 10_000 }));
    expectUnavailable(missing, "engine");
    expect((missing as Error).message).toContain('database "***" does not exist');
    expect((missing as Error).message).not.toContain("hunter2");
  });

  it("refuses an extension the server lacks, and bytes that name no template of its own", async () => {
    const before = await scratchDatabases();
    expect(await rejectionOf(openPostgresEngine(url, { deadlineMs: 10_000, extensions: ["no_such_extension"] }))).toMatchObject({
      why: "unsupported",
      message: expect.stringContaining('extension "no_such_extension" is not available on the PostgreSQL server'),
    });
    // An engine error: the caller drops the cached base and builds it again.
    expectUnavailable(await rejectionOf(openPostgresEngine(url, { deadlineMs: 10_000, from: new Uint8Array([1]) })), "engine");
    expect(await scratchDatabases()).toEqual(before);
  });
});

describe("openReplayEngine", () => {
  it('refuses "postgres" without a database URL', async () => {
    const error = await rejectionOf(openReplayEngine({ engine: "postgres" }, { deadlineMs: 10_000 }));
    expectUnavailable(error, "engine");
    expect((error as Error).message).toContain("DATABASE_URL");
  });

  it("opens PGlite for pglite (seen by its extension check, before any start)", async () => {
    expectUnavailable(await rejectionOf(openReplayEngine({ engine: "pglite" }, { deadlineMs: 10_000, extensions: ["postgis"] })), "unsupported");
  });

  it.skipIf(postgresUrl === undefined)("opens the external server for postgres", async () => {
    const engine = await openReplayEngine({ engine: "postgres", databaseUrl: postgresUrl! }, { deadlineMs: 30_000 });
    try {
      expect(engine.kind).toBe("postgres");
      expect(await engine.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await engine.close();
    }
  });
});
