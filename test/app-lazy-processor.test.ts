import { describe, expect, it } from "vitest";
import { loadedOnFirstUse } from "../src/app.js";
import type { Job, JobProcessor, JobRunContext } from "../src/jobs/queue.js";

/** The server's job processor is imported on first use (issue 20: /readyz within 0.5 s of start). */

const job = { id: "d1", kind: "review", payload: {}, attempts: 1 } as unknown as Job;
const context = { signal: new AbortController().signal, attempt: 1, maxAttempts: 3, final: false } as unknown as JobRunContext;

function recordingProcessor(calls: string[]): JobProcessor {
  return {
    run: (j) => Promise.resolve(void calls.push(`run ${j.id}`)),
    superseded: (j) => Promise.resolve(void calls.push(`superseded ${j.id}`)),
    deadLetter: (j, reason) => Promise.resolve(void calls.push(`dead ${j.id} ${reason}`)),
    retrying: (j, reason, delayMs) => Promise.resolve(void calls.push(`retrying ${j.id} ${reason} ${delayMs}`)),
  };
}

describe("loadedOnFirstUse", () => {
  it("loads nothing until used, then once for calls that come together, and hands each call to the loaded processor", async () => {
    const calls: string[] = [];
    let loads = 0;
    const lazy = loadedOnFirstUse(() => {
      loads++;
      return Promise.resolve(recordingProcessor(calls));
    });
    expect(loads).toBe(0);
    await Promise.all([lazy.run(job, context), lazy.superseded(job), lazy.deadLetter(job, "gone"), lazy.retrying?.(job, "503", 1000)]);
    await lazy.load();
    expect(loads).toBe(1);
    expect(calls).toEqual(["run d1", "superseded d1", "dead d1 gone", "retrying d1 503 1000"]);
  });

  it("fails the call whose import failed, and imports again on the next one", async () => {
    const calls: string[] = [];
    let loads = 0;
    const lazy = loadedOnFirstUse(() => (++loads === 1 ? Promise.reject(new Error("import failed")) : Promise.resolve(recordingProcessor(calls))));
    await expect(lazy.run(job, context)).rejects.toThrow("import failed");
    await lazy.run(job, context);
    expect(loads).toBe(2);
    expect(calls).toEqual(["run d1"]);
  });
});
