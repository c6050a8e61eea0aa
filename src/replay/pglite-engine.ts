import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { ReplaySqlError, ReplayUnavailableError, replayDeadlineError, type EngineOptions, type ReplayEngine, type Row } from "./engine.js";
import type { PgliteRequest, PgliteWorkerError, PgliteWorkerMessage, PgliteWorkerStart } from "./pglite-worker.js";

/**
 * The embedded engine: PGlite (PostgreSQL 18 in WASM) in a worker thread of its own. A query in
 * PGlite blocks its thread and statement_timeout is not enforced, so the deadline and the memory
 * limit are kept from this (main) thread, by terminating the worker.
 */

/** Extensions every PGlite has without loading anything. */
const BUILT_IN_EXTENSIONS = new Set(["plpgsql"]);
/** How often the memory watchdog reads the worker's heap statistics. */
const MEMORY_POLL_MS = 200;
/** How long close() lets PGlite shut down cleanly before the worker is terminated anyway. */
const CLOSE_GRACE_MS = 1_000;
/** Node's timers take at most 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function openPgliteEngine(options: EngineOptions): Promise<ReplayEngine> {
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
 * The worker script next to this module: pglite-worker.js when this is the compiled dist/, or the
 * TypeScript source when the tests run src/ (Node strips its types; the script is written for it).
 */
function workerScript(): URL {
  for (const name of ["./pglite-worker.js", "./pglite-worker.ts"]) {
    const candidate = new URL(name, import.meta.url);
    if (existsSync(candidate)) return candidate;
  }
  throw new ReplayUnavailableError(`the embedded Postgres worker script is missing next to ${import.meta.url}`, "engine");
}

interface PendingCall {
  resolve(message: Extract<PgliteWorkerMessage, { type: "reply"; ok: true }>): void;
  reject(error: Error): void;
}

/** A request before the engine numbers it (Omit over each member of the union). */
type RequestBody = PgliteRequest extends infer R ? (R extends PgliteRequest ? Omit<R, "id"> : never) : never;

class PgliteEngine implements ReplayEngine {
  readonly kind = "pglite";
  version = "";
  /** Settles when PGlite has started (or could not). */
  readonly ready: Promise<void>;

  readonly #worker: Worker;
  readonly #pending = new Map<number, PendingCall>();
  readonly #memoryLimitBytes: number | undefined;
  readonly #memoryMb: number | undefined;
  readonly #deadlineTimer: NodeJS.Timeout;
  #memoryWatchdog: NodeJS.Timeout | undefined;
  #nextId = 1;
  /** Set once the engine can serve no more calls: the reason every later call rejects with. */
  #failure: ReplayUnavailableError | undefined;
  #closing: Promise<void> | undefined;
  #startSettled: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: EngineOptions, extensionModules: readonly string[]) {
    this.#memoryMb = options.memoryMb;
    this.#memoryLimitBytes = options.memoryMb === undefined ? undefined : options.memoryMb * 1024 * 1024;
    this.ready = new Promise<void>((resolve, reject) => (this.#startSettled = { resolve, reject }));

    const script = workerScript();
    const from = options.from === undefined ? undefined : new Uint8Array(options.from);
    const start: PgliteWorkerStart = { from, extensionModules, wasmMemoryLimitBytes: this.#memoryLimitBytes };
    try {
      this.#worker = new Worker(script, {
        workerData: start,
        transferList: from === undefined ? [] : [from.buffer],
        // The JS heap is the smallest part of the worker's memory (Postgres' own memory is WASM
        // linear memory, and its files live in ArrayBuffers): V8's limit covers only that part.
        ...(options.memoryMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.memoryMb } }),
      });
    } catch (error) {
      throw new ReplayUnavailableError(`could not start the embedded Postgres worker: ${error instanceof Error ? error.message : String(error)}`, "engine", {
        cause: error,
      });
    }
    // The deadline counts from open, start-up included. The timer is not unref'd: an engine
    // nobody closes still ends at its deadline.
    this.#deadlineTimer = setTimeout(
      () => this.#fail(replayDeadlineError(options.limitMs ?? options.deadlineMs)),
      Math.min(Math.max(options.deadlineMs, 0), MAX_TIMER_MS),
    );
    this.#worker.on("message", (message: PgliteWorkerMessage) => this.#onMessage(message));
    this.#worker.on("error", (error: Error & { code?: unknown }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") this.#fail(this.#memoryError());
      else this.#fail(new ReplayUnavailableError(`the embedded Postgres failed: ${error.message}`, "engine", { cause: error }));
    });
    this.#worker.on("exit", (code) => this.#fail(new ReplayUnavailableError(`the embedded Postgres stopped unexpectedly (exit code ${code})`, "engine")));
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

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    if (this.#failure === undefined) {
      const closed = this.#call({ op: "close" }).catch(() => undefined);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    }
    this.#fail(new ReplayUnavailableError("the replay engine is closed", "engine"));
    await this.#worker.terminate();
  }

  #call(body: RequestBody): Promise<Extract<PgliteWorkerMessage, { type: "reply"; ok: true }>> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const request: PgliteRequest = { ...body, id };
      try {
        this.#worker.postMessage(request);
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
   * The memory limit covers all the worker holds: PGlite's WASM linear memory, the files of its
   * in-memory data directory (ArrayBuffers), and the JS heap. V8's resourceLimits see only the
   * last, and the process RSS is shared with the main thread and any other engine. What measures
   * this worker alone is its own heap statistics: `external_memory` counts the WASM memory and
   * the ArrayBuffers. Node serves getHeapStatistics() through a V8 interrupt, which WASM code
   * honours too, so the reading arrives even while a query blocks the worker (measured: within
   * 0-150 ms during a 20 s query). The grow hook in the worker catches a sudden large WASM grow
   * between two readings.
   */
  #watchMemory(limitBytes: number): void {
    let reading = false;
    this.#memoryWatchdog = setInterval(() => {
      if (reading || this.#failure) return;
      reading = true;
      this.#worker
        .getHeapStatistics()
        .then((heap) => {
          if (heap.used_heap_size + heap.external_memory > limitBytes) this.#fail(this.#memoryError());
        })
        .catch(() => undefined) // the worker is gone: its exit event says why
        .finally(() => (reading = false));
    }, MEMORY_POLL_MS);
    this.#memoryWatchdog.unref();
  }

  #memoryError(): ReplayUnavailableError {
    const message = this.#memoryMb === undefined ? "the replay ran out of memory" : `the replay needed more than ${this.#memoryMb} MB of memory`;
    return new ReplayUnavailableError(message, "memory");
  }

  /** Ends the engine for good: the first reason wins, every pending and later call rejects with it. */
  #fail(reason: ReplayUnavailableError): void {
    if (this.#failure) return;
    this.#failure = reason;
    clearTimeout(this.#deadlineTimer);
    if (this.#memoryWatchdog) clearInterval(this.#memoryWatchdog);
    for (const call of this.#pending.values()) call.reject(reason);
    this.#pending.clear();
    this.#startSettled?.reject(reason);
    void this.#worker.terminate();
  }
}
