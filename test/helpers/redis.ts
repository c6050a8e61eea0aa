import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { registerChild, unregisterChild } from "./child-registry.js";
import { freePort } from "./free-port.js";

/**
 * A Redis for tests: REDIS_TEST_URL when set (CI starts one), else a throwaway `redis-server` on a
 * free loopback port without persistence, started once per test file (process) and stopped when
 * the process exits. Undefined when there is no redis-server binary, so that the tests needing it
 * are skipped on a machine without Redis; with CI=true that is an error instead, so that CI
 * cannot skip them silently.
 */

let server: Promise<string | undefined> | undefined;
let child: ChildProcess | undefined;

export function testRedisUrl(): Promise<string | undefined> {
  const fromEnv = process.env.REDIS_TEST_URL?.trim();
  if (fromEnv) return Promise.resolve(fromEnv);
  server ??= startServer();
  return server;
}

function hasRedisServer(): boolean {
  const probe = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  return probe.error === undefined && probe.status === 0;
}

async function startServer(): Promise<string | undefined> {
  if (!hasRedisServer()) {
    if (process.env.CI === "true") throw new Error("redis-server is not installed and REDIS_TEST_URL is not set: the Redis tests cannot run in CI");
    return undefined;
  }
  let lastError: unknown;
  // The free port can be taken between the look and redis-server's bind: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      await launch(port);
      return `redis://127.0.0.1:${port}`;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

async function launch(port: number): Promise<void> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"];
  // A shell watches this process: when it ends without the exit handler running (a test worker
  // killed by a signal), the server goes too.
  const watchdog = [
    'redis-server "$@" & server=$!',
    "trap 'kill -9 $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM",
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 0.5; done`,
  ].join("\n");
  const launched = spawn("sh", ["-c", watchdog, "redis-server", ...args], { stdio: "ignore" });
  registerChild(launched.pid, `redis-server on port ${port} (its watchdog shell), started by test/helpers/redis.ts`);
  let exited = false;
  launched.once("exit", () => {
    exited = true;
    unregisterChild(launched.pid);
  });
  const deadline = Date.now() + 5_000;
  while (!(await answersPing(port))) {
    if (exited) throw new Error(`redis-server exited at start (port ${port})`);
    if (Date.now() > deadline) {
      launched.kill("SIGTERM");
      throw new Error(`redis-server did not answer on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child = launched;
  process.once("exit", stopServer);
}

function stopServer(): void {
  if (child && child.exitCode === null) child.kill("SIGTERM");
  child = undefined;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
