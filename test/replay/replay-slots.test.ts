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

  it("gives a freed slot to another installation before the one that queued many replays", async () => {
    const slots = new ReplaySlots(1);
    const order: string[] = [];
    let release!: () => void;
    const first = slots.use(undefined, () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push("A1")), "A");
    const queued = [
      slots.use(undefined, () => Promise.resolve(void order.push("A2")), "A"),
      slots.use(undefined, () => Promise.resolve(void order.push("A3")), "A"),
      slots.use(undefined, () => Promise.resolve(void order.push("B1")), "B"),
      slots.use(undefined, () => Promise.resolve(void order.push("A4")), "A"),
      slots.use(undefined, () => Promise.resolve(void order.push("C1")), "C"),
      slots.use(undefined, () => Promise.resolve(void order.push("B2")), "B"),
    ];
    release();
    await Promise.all([first, ...queued]);
    expect(order).toEqual(["A1", "B1", "C1", "A2", "B2", "A3", "A4"]);
  });

  it("prefers the installation with fewer replays running when several wait", async () => {
    const slots = new ReplaySlots(2);
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const hold = (name: string, tenant: string) =>
      slots.use(undefined, () => new Promise<void>((resolve) => releases.push(resolve)).then(() => void order.push(name)), tenant);
    const running = [hold("A1", "A"), hold("B1", "B")];
    const waiting = [
      slots.use(undefined, () => Promise.resolve(void order.push("A2")), "A"),
      slots.use(undefined, () => Promise.resolve(void order.push("C1")), "C"),
    ];
    // A's first ends while B's runs: C, with none running, goes before A's second, which waited longer.
    await Promise.resolve();
    releases[0]?.();
    await running[0];
    await Promise.all(waiting);
    expect(order).toEqual(["A1", "C1", "A2"]);
    releases[1]?.();
    await Promise.all(running);
    expect(order).toEqual(["A1", "C1", "A2", "B1"]);
  });
});
