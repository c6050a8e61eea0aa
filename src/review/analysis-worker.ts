import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { analyzeMigrations } from "../rules/engine.js";
import { RULES } from "../rules/index.js";
import { defineRule, type Rule } from "../rules/types.js";
import { loadSqlParser } from "../sql/parse.js";
import { parserMemoryBytes, watchParserMemory } from "./analysis-parser-memory.js";
import type { FromAnalysisWorker, ToAnalysisWorker } from "./analysis-protocol.js";
import { analysisSlices, type AnalysisSlice } from "./analysis-transfer.js";

/**
 * The analysis worker (started by analysis-pool.ts): parses and analyses a review's migrations off
 * the main thread, so that a file that keeps libpg-query busy for seconds delays no other tenant
 * and no health check. The WASM parser is loaded once, when the worker starts.
 */

const port = parentPort;
if (!port) throw new Error("analysis-worker.ts runs as a worker thread (see analysis-pool.ts)");

const post = (message: FromAnalysisWorker) => port.postMessage(message);

/**
 * On Linux the nice value is a thread's own (setpriority(2) on a thread id): this thread yields
 * the CPU to the event loop's, so that on a busy machine a health check does not wait for a
 * parse. Elsewhere, or where /proc is missing, the worker keeps the process's priority.
 */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
  } catch {
    // No /proc (macOS, Windows): the priority stays.
  }
}
lowerThreadPriority();
// Before the parser loads: its WebAssembly memory is measured after each review (the pool caps it).
watchParserMemory();
const parser = loadSqlParser();

/**
 * How the main thread learns which migration is running, for its per-file deadline: the engine
 * calls every rule's `migration` hook once per migration, in order, after its statements. This
 * one reports nothing; it is last in the list, so it runs after every real rule of the migration.
 */
function progressProbe(onDone: () => void): Rule {
  return defineRule({
    id: "analysis-progress",
    meta: { severity: "note", category: "hygiene", description: "Tells the main thread a migration is analysed.", messages: {} },
    migration: onDone,
  });
}

/** The finished analysis being handed over: one slice per `next`. */
let pending: { id: number; slices: Iterator<AnalysisSlice> } | undefined;

async function analyse(request: Extract<ToAnalysisWorker, { type: "analyse" }>): Promise<void> {
  const { id, files, migrations, config, trees } = request;
  try {
    await parser;
    post({ type: "begin", id });
    let index = 0;
    const rules = [...RULES, progressProbe(() => post({ type: "migration-done", id, index: index++ }))];
    const result = analyzeMigrations(files, migrations, { config, rules });
    pending = { id, slices: analysisSlices(result, migrations, trees) };
    post({ type: "analysed", id, parserMemoryBytes: parserMemoryBytes() });
  } catch (error) {
    fail(id, error);
  }
}

function fail(id: number, error: unknown): void {
  post({
    type: "failed",
    id,
    message: error instanceof Error ? error.message : String(error),
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  });
}

port.on("message", (message: ToAnalysisWorker) => {
  if (message.type === "analyse") {
    void analyse(message);
    return;
  }
  if (pending?.id !== message.id) return;
  try {
    const next = pending.slices.next();
    if (next.done) {
      pending = undefined;
      post({ type: "done", id: message.id });
    } else post({ type: "slice", id: message.id, slice: next.value });
  } catch (error) {
    pending = undefined;
    fail(message.id, error);
  }
});
