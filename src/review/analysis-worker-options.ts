import type { WorkerOptions } from "node:worker_threads";

/**
 * How an analysis worker's V8 heap is sized. The old generation is the operator's cap
 * (ANALYSIS_MEMORY_MB); the young generation is capped here. Left to V8, the young generation of a
 * thread that allocates as fast as the rules do grows to its largest size (semi-spaces of 32 to
 * 64 MiB on a 64-bit machine, measured: a new space of 128 MiB after a 5,000-statement migration),
 * memory that counts in the process's RSS and that short-lived objects never needed: what
 * survives a scavenge is promoted to the old generation anyway. Measured on that migration
 * (bench:server): the process's peak went from 501 to 390 MB with 24 MiB (semi-spaces of 8 MiB),
 * for the same CPU time within noise. V8 flags given to node (`--max-semi-space-size`) apply to
 * every isolate; this holds also where the process is started without them (tests, `node dist/main.js`).
 */
export const ANALYSIS_YOUNG_GENERATION_MB = 24;

/** The options of `new Worker(script, …)` for an analysis worker whose old generation may take `memoryMb`. */
export function analysisWorkerOptions(memoryMb: number): WorkerOptions {
  return { resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: ANALYSIS_YOUNG_GENERATION_MB } };
}
