import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { ANALYSIS_YOUNG_GENERATION_MB, analysisWorkerOptions } from "../../src/review/analysis-worker-options.js";

/**
 * The analysis worker's heap sizes reach V8: a worker started with the pool's options allocates
 * far more short-lived data than its young generation may hold, and its new space stays within
 * the cap (left to V8, it grew to 32 MiB here, and to 128 MiB on a large migration).
 */

/** Runs in the worker: ~120 MB of short-lived arrays, then the limits and the new space's size as V8 reports them. */
const CHURN = `
const { parentPort, resourceLimits } = require("node:worker_threads");
const v8 = require("node:v8");
// A window of the last 500 arrays stays alive, as a parse's nodes do until its statement is
// analysed: scavenges find much of the new space alive, which is when V8 grows it.
const window = [];
let kept = 0;
let largestNewSpace = 0;
for (let i = 0; i < 3_000; i++) {
  const garbage = Array.from({ length: 1000 }, (_, j) => ({ i, j }));
  window[i % 500] = garbage;
  kept += garbage.length;
  if (i % 1000 === 0) {
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    largestNewSpace = Math.max(largestNewSpace, space ? space.space_size : 0);
  }
}
parentPort.postMessage({ resourceLimits, largestNewSpace, kept });
`;

function run(options: ConstructorParameters<typeof Worker>[1]): Promise<{ resourceLimits: Record<string, number>; largestNewSpace: number; kept: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CHURN, { ...options, eval: true });
    worker.once("message", (message: { resourceLimits: Record<string, number>; largestNewSpace: number; kept: number }) => {
      void worker.terminate().then(() => resolve(message));
    });
    worker.once("error", reject);
  });
}

describe("the analysis worker's options", () => {
  it("cap the old generation at the operator's memory and the young generation at its own size", () => {
    expect(analysisWorkerOptions(384)).toEqual({ resourceLimits: { maxOldGenerationSizeMb: 384, maxYoungGenerationSizeMb: ANALYSIS_YOUNG_GENERATION_MB } });
  });

  it("keep a worker's new space within the young generation's cap while it churns through short-lived objects", async () => {
    const { resourceLimits, largestNewSpace, kept } = await run(analysisWorkerOptions(256));
    expect(kept).toBe(3_000_000);
    expect(resourceLimits).toMatchObject({ maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: ANALYSIS_YOUNG_GENERATION_MB });
    expect(largestNewSpace).toBeGreaterThan(0);
    expect(largestNewSpace).toBeLessThanOrEqual(ANALYSIS_YOUNG_GENERATION_MB * 1024 * 1024);
  });
});
