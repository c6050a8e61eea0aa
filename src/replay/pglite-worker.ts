/**
 * The child process that runs PGlite for the embedded replay engine (pglite-engine.ts forks it,
 * with an IPC channel). PGlite blocks its thread while a query runs and ignores statement_timeout,
 * so it lives here, where the server can kill it at the deadline or on a memory breach. A process
 * of its own, not a worker thread: WebAssembly memory never shrinks, and a worker's PGlite left
 * the server holding what it touched (bench:server: 287 MB after a replay review, against 165 MB
 * with this process); a killed process returns all of it, and the server's own peak never carries
 * Postgres' heap (bench:server: 365 MB, against 165 MB).
 *
 * This file must run both compiled (dist/replay/pglite-worker.js, dist/bundle/pglite-worker.js)
 * and as TypeScript source under Node's type stripping (when the tests run src/ directly): so it
 * imports only packages and types (type imports are erased), and uses no syntax that needs
 * transforming (enums, parameter properties, namespaces).
 */
import { Worker } from "node:worker_threads";
import { PGlite, type Extension, type Extensions } from "@electric-sql/pglite";
import type { Row } from "./engine.js";

/**
 * The argument the engine starts this script with, followed by the engine's (the server's)
 * process id: the script runs only when started so, not when imported.
 */
export const PGLITE_CHILD_ARGUMENT = "--data-engineer-pglite-replay";

/** What the engine sends first, once the process has started. */
export interface PgliteWorkerStart {
  /** A data directory image from dumpDataDir("gzip") to start from, instead of a new cluster. */
  from: Uint8Array<ArrayBuffer> | undefined;
  /** Module names under @electric-sql/pglite/contrib/ to load (checked by the engine). */
  extensionModules: readonly string[];
  /** Cap on PGlite's WASM linear memory in bytes, or undefined for none. */
  wasmMemoryLimitBytes: number | undefined;
}

export type PgliteRequest =
  | { id: 0; op: "start"; settings: PgliteWorkerStart }
  | { id: number; op: "exec"; sql: string }
  | { id: number; op: "query"; sql: string; params: readonly unknown[] }
  | { id: number; op: "snapshot" };

/** An error as it crosses the thread boundary: Postgres refusing a statement, or anything else. */
export type PgliteWorkerError = { kind: "sql"; message: string; code: string | undefined; position: number | undefined } | { kind: "engine"; message: string };

export type PgliteWorkerMessage =
  | { type: "ready"; version: string }
  | { type: "start-failed"; message: string }
  /** Sent the moment PGlite asks to grow its WASM memory past the cap; the grow is refused. */
  | { type: "memory"; requestedBytes: number }
  | { type: "reply"; id: number; ok: true; rows?: Row[]; snapshot?: Uint8Array }
  | { type: "reply"; id: number; ok: false; error: PgliteWorkerError };

const WASM_PAGE_BYTES = 65_536;

/**
 * Postgres' buffer pool. PGlite keeps initdb's 128 MB, and its shared memory is written from end
 * to end when Postgres starts, so every megabyte of it is resident from the first statement
 * (measured: the WASM memory of a started PGlite 151 MB resident with 128 MB, 29 MB with 16 MB).
 * A replay runs migrations on an empty schema: its pages fit many times over in 16 MB, and a page
 * evicted is written to the in-memory data directory, not to a disk. Applies to the nested
 * instance initdb runs in too (PGlite passes these start parameters on to it).
 */
const SHARED_BUFFERS = "16MB";
/**
 * A new cluster's WAL segments, in MB (initdb --wal-segsize; Postgres' default is 16). PGlite's
 * data directory lives in memory, WAL segments included, and a cluster keeps at least one whole
 * segment: with 1 MB ones a pristine image opens with 29 MB of files instead of 38, and a long
 * history's WAL is recycled in smaller steps (measured: 2,000 tables replayed, peak 327 MB
 * instead of 388, the same CPU time). Images keep the segment size they were made with.
 */
const WAL_SEGMENT_MB = 1;

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/** Messages go over the IPC channel with Node's "advanced" serialization (structured clone: bytes, dates and bigints arrive as such). */
function post(message: PgliteWorkerMessage): void {
  process.send?.(message);
}

/**
 * Postgres' memory in PGlite is WASM linear memory, which V8's heap limits do not cover. Emscripten
 * grows it by calling `grow` from JavaScript, on this thread, in the middle of the query that needs
 * it: so the check runs even while the query blocks the event loop. Past the cap, the engine
 * is told at once (it kills this process) and the grow fails, so Postgres gets no more memory.
 */
function capWasmMemory(limitBytes: number): void {
  // The project's libs leave out WebAssembly's declarations: this is the part used here.
  const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly.Memory.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the memory being grown as `this`
  const originalGrow = memory.grow;
  memory.grow = function growWithinLimit(this: WasmMemory, deltaPages: number): number {
    const requestedBytes = this.buffer.byteLength + deltaPages * WASM_PAGE_BYTES;
    if (requestedBytes > limitBytes) {
      post({ type: "memory", requestedBytes });
      throw new RangeError(`WASM memory limit of ${limitBytes} bytes reached`);
    }
    return originalGrow.call(this, deltaPages);
  };
}

async function loadExtensions(moduleNames: readonly string[]): Promise<Extensions> {
  const extensions: Extensions = {};
  for (const name of moduleNames) {
    const module = (await import(`@electric-sql/pglite/contrib/${name}`)) as Record<string, Extension | undefined>;
    const extension = module[name];
    if (extension === undefined) throw new Error(`@electric-sql/pglite/contrib/${name} exports no extension named ${name}`);
    extensions[name] = extension;
  }
  return extensions;
}

/** Postgres' own errors carry a SQLSTATE and a severity; anything else is the engine's. */
function toWorkerError(error: unknown): PgliteWorkerError {
  if (error instanceof Error && "severity" in error && "code" in error && typeof error.code === "string") {
    const position = "position" in error && typeof error.position === "string" ? Number(error.position) : undefined;
    return { kind: "sql", message: error.message, code: error.code, position: Number.isInteger(position) ? position : undefined };
  }
  return { kind: "engine", message: error instanceof Error ? error.message : String(error) };
}

async function handle(db: PGlite, request: PgliteRequest): Promise<void> {
  try {
    switch (request.op) {
      case "exec":
        await db.exec(request.sql);
        post({ type: "reply", id: request.id, ok: true });
        return;
      case "query": {
        const result = await db.query<Row>(request.sql, [...request.params]);
        post({ type: "reply", id: request.id, ok: true, rows: result.rows });
        return;
      }
      case "snapshot": {
        const image = await db.dumpDataDir("gzip");
        const snapshot = new Uint8Array(await image.arrayBuffer());
        post({ type: "reply", id: request.id, ok: true, snapshot });
        return;
      }
      case "start":
        return;
    }
  } catch (error) {
    post({ type: "reply", id: request.id, ok: false, error: toWorkerError(error) });
  }
}

async function start(settings: PgliteWorkerStart): Promise<void> {
  if (settings.wasmMemoryLimitBytes !== undefined) capWasmMemory(settings.wasmMemoryLimitBytes);
  let db: PGlite;
  let version: string;
  try {
    const extensions = await loadExtensions(settings.extensionModules);
    const loadDataDir = settings.from === undefined ? undefined : new Blob([settings.from]);
    const startParams = [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`];
    const initDbStartParams = [`--wal-segsize=${WAL_SEGMENT_MB}`];
    db = await PGlite.create({ extensions, loadDataDir, startParams, initDbStartParams });
    const result = await db.query<{ version: string }>("select version()");
    version = result.rows[0]?.version ?? "unknown";
  } catch (error) {
    post({ type: "start-failed", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  process.on("message", (request: PgliteRequest) => void handle(db, request));
  post({ type: "ready", version });
}

/**
 * The process must not outlive the server that started it, even while a query blocks this thread
 * (no event, not even the channel's closing, is seen then): a thread of its own, which only
 * watches the parent process id, kills the process once the server is gone (its orphans are
 * adopted by init or a subreaper, so the id changes).
 */
const WATCH_PARENT = `
const { workerData } = require("node:worker_threads");
setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, "SIGKILL"); }, 250);
`;

/**
 * Started by the engine: the first message is the start. The process ends when the engine kills
 * it, or when the channel closes (the server went away without killing it: nothing here is worth
 * keeping, the data directory lives in this process's memory only).
 */
const marker = process.argv.indexOf(PGLITE_CHILD_ARGUMENT);
if (marker >= 0 && process.send !== undefined) {
  process.once("disconnect", () => process.exit(0));
  const parent = Number(process.argv[marker + 1]);
  new Worker(WATCH_PARENT, { eval: true, workerData: parent }).unref();
  process.once("message", (request: PgliteRequest) => {
    if (request.op === "start") void start(request.settings);
    else process.exit(1);
  });
}
