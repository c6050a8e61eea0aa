import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ReplaySqlError, ReplayUnavailableError, replayDeadlineError, type EngineOptions, type ReplayEngine, type Row } from "./engine.js";
import type { PgliteRequest, PgliteWorkerError, PgliteWorkerMessage, PgliteWorkerStart } from "./pglite-worker.js";

/**
 * The embedded engine: PGlite (PostgreSQL 18 in WASM) in a child process of its own
 * (pglite-worker.ts). A query in PGlite blocks its thread and statement_timeout is not enforced,
 * so the deadline and the memory limit are kept from here, by killing the process. A process, not
 * a worker thread, because WebAssembly memory is never given back while its process lives: the
 * server's RSS would keep each replay's Postgres heap; a killed process returns it all.
 */

/** The argument pglite-worker.ts runs on (kept here too: this module imports only its types). */
const PGLITE_CHILD_ARGUMENT = "--data-engineer-pglite-replay";
/**
 * Node's flags for the process: npm start's (package.json). WebAssembly compiled by Liftoff only:
 * a replay is too short to earn TurboFan's recompile of Postgres back, and the server's worker
 * thread ran PGlite so (V8's flags were the process's). Small semi-spaces: PGlite's JS heap is small.
 */
const CHILD_NODE_FLAGS = ["--liftoff-only", "--max-semi-space-size=4"];
/**
 * The only environment the process gets: glibc's arena cap and V8's compile cache (the image sets
 * both, Dockerfile), so that its allocations stay as compact as the server's and PGlite's modules
 * are not compiled again in every replay. Nothing else: the process runs the pull request's SQL,
 * and the server's secrets (the app's key, DATABASE_URL) have no business there.
 */
const CHILD_ENVIRONMENT = ["MALLOC_ARENA_MAX", "NODE_COMPILE_CACHE"];
/** Every engine process alive, killed if this process exits first (no replay outlives its server). */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Extensions every PGlite has without loading anything. */
const BUILT_IN_EXTENSIONS = new Set(["plpgsql"]);
/** How often the memory watchdog reads the process's resident set. */
const MEMORY_POLL_MS = 200;
/** Node's timers take at most 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The embedded engine, with the process it runs in (bench:pglite-memory reads its memory; tests check it ends). */
export interface PgliteReplayEngine extends ReplayEngine {
  /** The process id of PGlite's process, or undefined when it did not start. */
  readonly pid: number | undefined;
}

export async function openPgliteEngine(options: EngineOptions): Promise<PgliteReplayEngine> {
  const extensionModules = (options.extensions ?? []).filter((name) => !BUILT_IN_EXTENSIONS.has(name)).map(extensionModule);
  const engine = new PgliteEngine(options, extensionModules);
  await engine.ready;
  return engine;
}

/** Whether the embedded Postgres can `CREATE EXTENSION name` (it ships the extension). */
export function pgliteShipsExtension(name: string): boolean {
  return BUILT_IN_EXTENSIONS.has(name) || shippedExtensionModules().has(moduleNameOf(name));
}

/** PGlite's contrib modules are named like the extension, with `_` for `-` (uuid-ossp → uuid_ossp). */
function moduleNameOf(extension: string): string {
  return extension.replaceAll("-", "_");
}

function extensionModule(extension: string): string {
  const module = moduleNameOf(extension);
  if (!shippedExtensionModules().has(module)) {
    throw new ReplayUnavailableError(`extension "${extension}" is not available in the embedded Postgres`, "unsupported");
  }
  return module;
}

let shippedModules: Set<string> | undefined;

/** The package's own list: one module per extension in @electric-sql/pglite/dist/contrib/. */
function shippedExtensionModules(): Set<string> {
  if (shippedModules) return shippedModules;
  const packageDist = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  const contrib = join(packageDist, "contrib");
  shippedModules = new Set(
    readdirSync(contrib)
      .filter((file) => file.endsWith(".js"))
      .map((file) => file.slice(0, -".js".length)),
  );
  return shippedModules;
}

/**
 * The process's script next to this module: pglite-worker.js when this is the compiled dist/ (or
 * the bundle), or the TypeScript source when the tests run src/ (Node strips its types; the script
 * is written for it).
 */
function workerScript(): URL {
  for (const name of ["./pglite-worker.js", "./pglite-worker.ts"]) {
    const candidate = new URL(name, import.meta.url);
    if (existsSync(candidate)) return candidate;
  }
  throw new ReplayUnavailableError(`the embedded Postgres worker script is missing next to ${import.meta.url}`, "engine");
}

function childEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(CHILD_ENVIRONMENT.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
}

function killOnExit(child: ChildProcess): void {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const live of liveChildren) live.kill("SIGKILL");
  });
}

/** A process's resident set in bytes (Linux: /proc), or undefined where it cannot be read. */
async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

interface PendingCall {
  resolve(message: Extract<PgliteWorkerMessage, { type: "reply"; ok: true }>): void;
  reject(error: Error): void;
}

/** A request before the engine numbers it (Omit over each member of the union). */
type RequestBody = PgliteRequest extends infer R ? (R extends PgliteRequest ? Omit<R, "id"> : never) : never;

class PgliteEngine implements PgliteReplayEngine {
  readonly kind = "pglite";
  version = "";
  /** Settles when PGlite has started (or could not). */
  readonly ready: Promise<void>;

  readonly #child: ChildProcess;
  readonly #pending = new Map<number, PendingCall>();
  readonly #memoryLimitBytes: number | undefined;
  readonly #memoryMb: number | undefined;
  readonly #deadlineTimer: NodeJS.Timeout;
  #memoryWatchdog: NodeJS.Timeout | undefined;
  #nextId = 1;
  /** Set once the engine can serve no more calls: the reason every later call rejects with. */
  #failure: ReplayUnavailableError | undefined;
  readonly #exited: Promise<void>;
  #startSettled: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: EngineOptions, extensionModules: readonly string[]) {
    this.#memoryMb = options.memoryMb;
    this.#memoryLimitBytes = options.memoryMb === undefined ? undefined : options.memoryMb * 1024 * 1024;
    this.ready = new Promise<void>((resolve, reject) => (this.#startSettled = { resolve, reject }));

    const script = workerScript();
    const from = options.from === undefined ? undefined : new Uint8Array(options.from);
    const start: PgliteWorkerStart = { from, extensionModules, wasmMemoryLimitBytes: this.#memoryLimitBytes };
    try {
      this.#child = fork(fileURLToPath(script), [PGLITE_CHILD_ARGUMENT, String(process.pid)], {
        // V8's heap limit covers only the smallest part of the process's memory (Postgres' own is
        // WASM linear memory, its files live in ArrayBuffers): the watchdog below covers the rest.
        execArgv: [...CHILD_NODE_FLAGS, ...(options.memoryMb === undefined ? [] : [`--max-old-space-size=${options.memoryMb}`])],
        env: childEnvironment(),
        serialization: "advanced",
        // PGlite's own output (Postgres' log) goes where the worker thread's went: this process's.
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
    } catch (error) {
      throw new ReplayUnavailableError(`could not start the embedded Postgres process: ${error instanceof Error ? error.message : String(error)}`, "engine", {
        cause: error,
      });
    }
    killOnExit(this.#child);
    const child = this.#child;
    // A process that could not be spawned emits "error" and never "exit".
    this.#exited = new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => child.pid === undefined && resolve());
    });
    // The deadline counts from open, start-up included. The timer is not unref'd: an engine
    // nobody closes still ends at its deadline.
    this.#deadlineTimer = setTimeout(
      () => this.#fail(replayDeadlineError(options.limitMs ?? options.deadlineMs)),
      Math.min(Math.max(options.deadlineMs, 0), MAX_TIMER_MS),
    );
    this.#child.on("message", (message: PgliteWorkerMessage) => this.#onMessage(message));
    this.#child.on("error", (error: Error) =>
      this.#fail(new ReplayUnavailableError(`the embedded Postgres failed: ${error.message}`, "engine", { cause: error })),
    );
    this.#child.on("exit", (code, signal) => {
      // V8 aborts a process whose heap reached --max-old-space-size.
      if (signal === "SIGABRT" && this.#memoryLimitBytes !== undefined) this.#fail(this.#memoryError());
      else this.#fail(new ReplayUnavailableError(`the embedded Postgres stopped unexpectedly (${signal ?? `exit code ${code}`})`, "engine"));
    });
    this.#send({ id: 0, op: "start", settings: start });
    if (this.#memoryLimitBytes !== undefined) this.#watchMemory(this.#memoryLimitBytes);
  }

  async exec(sql: string): Promise<void> {
    await this.#call({ op: "exec", sql });
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const reply = await this.#call({ op: "query", sql, params });
    return reply.rows ?? [];
  }

  async snapshot(): Promise<Uint8Array> {
    const reply = await this.#call({ op: "snapshot" });
    if (reply.snapshot === undefined) throw new ReplayUnavailableError("the embedded Postgres returned no snapshot", "engine");
    return reply.snapshot;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Kills the process, without shutting Postgres down first: its data directory lives in the
   * process's memory only (what a replay keeps, it took as a snapshot), so a clean shutdown's
   * checkpoint would be work for nothing. Resolves once the process has exited.
   */
  close(): Promise<void> {
    this.#fail(new ReplayUnavailableError("the replay engine is closed", "engine"));
    return this.#exited;
  }

  /** Sends a message; false when the channel is gone (the process has exited: its exit event says why). */
  #send(request: PgliteRequest): boolean {
    if (!this.#child.connected) return false;
    this.#child.send(request, (error) => {
      if (error) this.#fail(new ReplayUnavailableError(`the embedded Postgres failed: ${error.message}`, "engine", { cause: error }));
    });
    return true;
  }

  #call(body: RequestBody): Promise<Extract<PgliteWorkerMessage, { type: "reply"; ok: true }>> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const request = { ...body, id } as PgliteRequest;
      try {
        this.#send(request);
      } catch (error) {
        // A parameter the structured clone cannot copy (a function, a symbol): the caller's mistake.
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.#pending.set(id, { resolve, reject });
    });
  }

  #onMessage(message: PgliteWorkerMessage): void {
    switch (message.type) {
      case "ready":
        this.version = message.version;
        this.#startSettled?.resolve();
        return;
      case "start-failed":
        this.#fail(new ReplayUnavailableError(`the embedded Postgres did not start: ${message.message}`, "engine"));
        return;
      case "memory":
        this.#fail(this.#memoryError());
        return;
      case "reply": {
        const call = this.#pending.get(message.id);
        if (!call) return;
        this.#pending.delete(message.id);
        if (message.ok) call.resolve(message);
        else call.reject(this.#toError(message.error));
        return;
      }
    }
  }

  #toError(error: PgliteWorkerError): Error {
    if (error.kind === "sql") return new ReplaySqlError(error.message, error.code, error.position);
    // Not Postgres refusing a statement: PGlite itself failed, and its state cannot be trusted.
    const failure = new ReplayUnavailableError(`the embedded Postgres failed: ${error.message}`, "engine");
    this.#fail(failure);
    return failure;
  }

  /**
   * The memory limit covers all the process holds: PGlite's WASM linear memory, the files of its
   * in-memory data directory (ArrayBuffers), the JS heap and Node itself: its resident set, read
   * by this process from /proc while a query blocks the other. Where there is no /proc, the
   * limits left are V8's heap limit and the WASM grow hook (pglite-worker.ts), which catches a
   * sudden large grow between two readings anywhere.
   */
  #watchMemory(limitBytes: number): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    let reading = false;
    this.#memoryWatchdog = setInterval(() => {
      if (reading || this.#failure) return;
      reading = true;
      void residentBytes(pid)
        .then((rss) => {
          if (rss !== undefined && rss > limitBytes) this.#fail(this.#memoryError());
        })
        .finally(() => (reading = false));
    }, MEMORY_POLL_MS);
    this.#memoryWatchdog.unref();
  }

  #memoryError(): ReplayUnavailableError {
    const message = this.#memoryMb === undefined ? "the replay ran out of memory" : `the replay needed more than ${this.#memoryMb} MB of memory`;
    return new ReplayUnavailableError(message, "memory");
  }

  /** Ends the engine for good: the first reason wins, every pending and later call rejects with it; the process is killed. */
  #fail(reason: ReplayUnavailableError): void {
    if (this.#failure) return;
    this.#failure = reason;
    clearTimeout(this.#deadlineTimer);
    if (this.#memoryWatchdog) clearInterval(this.#memoryWatchdog);
    for (const call of this.#pending.values()) call.reject(reason);
    this.#pending.clear();
    this.#startSettled?.reject(reason);
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }
}
