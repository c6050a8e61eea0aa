import { describe, expect, it } from "vitest";
import { ReplaySlots } from "../../src/replay/replay-slots.js";

describe("replay slots", () => {
  it("runs one replay at a time with one slot, in order, and a waiter that aborts leaves the line", async () => {
    const slots = new ReplaySlots(1);
    const events: string[] = [];
    let release!: () => void;
    const first = slots.use(undefined, async () => {
      events.push("first starts");
      await new Promise<void>((resolve) => (release = resolve));
      events.push("first ends");
    });
    const controller = new AbortController();
    const abandoned = slots.use(controller.signal, () => Promise.resolve(events.push("abandoned runs")));
    const second = slots.use(undefined, () => Promise.resolve(events.push("second runs")));
    await Promise.resolve();
    controller.abort(new Error("superseded"));
    await expect(abandoned).rejects.toThrow("superseded");
    expect(events).toEqual(["first starts"]);
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(["first starts", "first ends", "second runs"]);
  });

  it("runs as many at once as it has slots", async () => {
    const slots = new ReplaySlots(2);
    let running = 0;
    let most = 0;
    const work = () =>
      slots.use(undefined, async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      });
    await Promise.all([work(), work(), work(), work()]);
    expect(most).toBe(2);
  });
});
