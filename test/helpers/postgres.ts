import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { registerChild, unregisterChild } from "./child-registry.js";
import { freePort } from "./free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A PostgreSQL server for tests: POSTGRES_TEST_URL when set (a superuser URL), else a throwaway
 * cluster made by `initdb` in a temp dir and started on a free loopback port with trust auth,
 * once per test file (process), stopped and deleted when the process exits. Undefined when no
 * PostgreSQL server binaries are installed, so that the tests needing it are skipped on such a
 * machine; with CI=true that is an error instead, so that CI cannot skip them silently.
 *
 * Binaries: the newest /usr/lib/postgresql/<major>/bin (Debian's `postgresql-<major>` package),
 * else `initdb` and `postgres` on PATH. PostgreSQL refuses to run as root: as root, the cluster is
 * made and run as the `postgres` user (which Debian's package creates) through `runuser`.
 */

let server: Promise<string | undefined> | undefined;

export function testPostgresUrl(): Promise<string | undefined> {
  const fromEnv = process.env.POSTGRES_TEST_URL?.trim();
  if (fromEnv) return Promise.resolve(fromEnv);
  server ??= startServer();
  return server;
}

/** The role a replay may run as (LOGIN CREATEDB, nothing more), made on the test server; its URL. */
export async function testReplayRoleUrl(): Promise<string | undefined> {
  const superUrl = await testPostgresUrl();
  if (superUrl === undefined) return undefined;
  const admin = new pg.Client({ connectionString: superUrl });
  await admin.connect();
  try {
    await admin.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${REPLAY_ROLE}') THEN CREATE ROLE ${REPLAY_ROLE} LOGIN CREATEDB; END IF; END $$`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(superUrl);
  url.username = REPLAY_ROLE;
  url.password = "";
  return url.toString();
}

const REPLAY_ROLE = "data_engineer_replayer";

interface Binaries {
  initdb: string;
  postgres: string;
}

function findBinaries(): Binaries | undefined {
  const debianRoot = "/usr/lib/postgresql";
  const majors = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(debianRoot, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest !== undefined) {
    const bin = join(debianRoot, newest, "bin");
    return { initdb: join(bin, "initdb"), postgres: join(bin, "postgres") };
  }
  const onPath = spawnSync("initdb", ["--version"], { stdio: "ignore" });
  if (onPath.error === undefined && onPath.status === 0) return { initdb: "initdb", postgres: "postgres" };
  return undefined;
}

/** As root, the command and its arguments run as the `postgres` user. */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, [...args]];
  return ["runuser", ["-u", "postgres", "--", command, ...args]];
}

async function startServer(): Promise<string | undefined> {
  const binaries = findBinaries();
  if (binaries === undefined) {
    if (process.env.CI === "true") {
      throw new Error("PostgreSQL server binaries are not installed and POSTGRES_TEST_URL is not set: the PostgreSQL tests cannot run in CI");
    }
    return undefined;
  }
  let lastError: unknown;
  // The free port can be taken between the look and the server's bind: try a few. The watchdog
  // deletes the data directory when the server exits, so each try makes a new cluster.
  for (let attempt = 0; attempt < 5; attempt++) {
    const dataDir = initCluster(binaries.initdb);
    const port = await freePort();
    try {
      await launch(binaries.postgres, dataDir, port);
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) break;
    }
  }
  throw new Error(`could not start PostgreSQL: ${String(lastError)}`);
}

function initCluster(initdbBinary: string): string {
  const dataDir = makeDataDir();
  const [command, args] = asServerUser(initdbBinary, ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  const initdb = spawnSync(command, args, { encoding: "utf8" });
  if (initdb.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${initdb.error?.message ?? initdb.stderr}`);
  }
  return dataDir;
}

function makeDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "data-engineer-pg-"));
  if (process.getuid?.() === 0) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const groups = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (ids.status !== 0 || groups.status !== 0) throw new Error("running as root, but there is no `postgres` user to run PostgreSQL as");
    chownSync(dir, Number(ids.stdout.trim()), Number(groups.stdout.trim()));
  }
  chmodSync(dir, 0o700);
  return dir;
}

class PortTakenError extends Error {}

async function launch(postgresBinary: string, dataDir: string, port: number): Promise<void> {
  const settings = [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-k",
    dataDir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "max_connections=50",
  ];
  // A shell watches this process: when it is gone (also when a test worker is killed by a signal
  // and no exit handler runs), the server stops (SIGQUIT: immediate shutdown) and its data goes.
  // The shell itself runs as the server user, so that the server is its own child to signal.
  const watchdog = [
    '"$@" & server=$!',
    `trap 'kill -QUIT $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "${dataDir}"' EXIT INT TERM`,
    `while [ -d /proc/${process.pid} ] && kill -0 $server 2>/dev/null; do sleep 0.5; done`,
  ].join("\n");
  const [command, args] = asServerUser("sh", ["-c", watchdog, "postgres-watchdog", postgresBinary, ...settings]);
  // Its own process group, so that a server that never answers can be stopped with its watchdog.
  const launched = spawn(command, args, { stdio: "ignore", detached: true });
  registerChild(launched.pid, `PostgreSQL on port ${port} (its watchdog shell), started by test/helpers/postgres.ts`, { groupLeader: true });
  let exited = false;
  launched.once("exit", () => {
    exited = true;
    unregisterChild(launched.pid);
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 15_000;
  while (!(await answers(url))) {
    if (exited) throw new PortTakenError(`PostgreSQL exited at start (port ${port} taken?)`);
    if (Date.now() > deadline) {
      if (launched.pid !== undefined) process.kill(-launched.pid, "SIGQUIT");
      throw new Error(`PostgreSQL did not answer on port ${port} within 15 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // No exit handler: the watchdog sees this process go within half a second and cleans up.
  launched.unref();
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
