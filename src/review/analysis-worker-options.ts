import type { WorkerOptions } from "node:worker_threads";

/**
 * How an analysis worker's V8 heap is sized. The old generation is the operator's cap
 * (ANALYSIS_MEMORY_MB); the young generation is capped here. Left to V8, the young generation of a
 * thread that allocates as fast as the rules do grows to its largest size (semi-spaces of 32 to
 * 64 MiB on a 64-bit machine, measured: a new space of 128 MiB after a 5,000-statement migration),
 * memory that counts in the process's RSS and that short-lived objects never needed: what
 * survives a scavenge is promoted to the old generation anyway. Measured on that migration
 * (bench:server): the process's peak went from 501 to 390 MB with semi-spaces of 8 MiB, and to
 * about 305 MB with 4 MiB (12 MiB here) and the main thread's young generation capped as well,
 * for the same CPU time within noise. npm start and the image give node `--max-semi-space-size=4`,
 * which V8 applies to every isolate (it wins over this); this holds where the process is started
 * without it (tests, `node dist/main.js`).
 */
export const ANALYSIS_YOUNG_GENERATION_MB = 12;

/** The options of `new Worker(script, …)` for an analysis worker whose old generation may take `memoryMb`. */
export function analysisWorkerOptions(memoryMb: number): WorkerOptions {
  return { resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: ANALYSIS_YOUNG_GENERATION_MB } };
}
