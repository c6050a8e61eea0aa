import { setImmediate as immediate, setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { watchMainThreadWork } from "./helpers/main-thread-work.js";

/**
 * The measure test/health-during-analysis.test.ts asserts with: the longest CPU time the event
 * loop spent without a chance to accept a request. Work here is counted in CPU milliseconds of
 * this thread (a busy loop on process.threadCpuUsage), so a loaded machine changes none of it.
 */

function burn(ms: number): void {
  const cpu = () => {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  };
  const end = cpu() + ms;
  while (cpu() < end) {
    // CPU work, nothing else.
  }
}

describe("the longest uninterrupted main-thread work", () => {
  it("counts one callback's work", async () => {
    const work = await watchMainThreadWork();
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        burn(150);
        resolve();
      }, 1),
    );
    await work.stop();
    expect(work.longestMs()).toBeGreaterThanOrEqual(150);
  });

  it("counts the callbacks of one event-loop iteration together: queued immediates, a chain of microtasks", async () => {
    const immediates = await watchMainThreadWork();
    await Promise.all(Array.from({ length: 10 }, () => immediate().then(() => burn(15))));
    await immediates.stop();
    expect(immediates.longestMs()).toBeGreaterThanOrEqual(150);

    const microtasks = await watchMainThreadWork();
    await sleep(1);
    for (let i = 0; i < 10; i++) {
      await Promise.resolve();
      burn(15);
    }
    await microtasks.stop();
    expect(microtasks.longestMs()).toBeGreaterThanOrEqual(150);
  });

  it("splits work that gives the event loop a turn in between", async () => {
    const work = await watchMainThreadWork();
    for (let i = 0; i < 10; i++) {
      await sleep(1);
      burn(15);
    }
    await work.stop();
    expect(work.over(15).length).toBeGreaterThanOrEqual(10);
    expect(work.longestMs()).toBeLessThan(60);
  });
});
