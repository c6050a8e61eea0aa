import type { Clock } from "../../src/github/rate-limit.js";
import type { QueueClock } from "../../src/jobs/queue-clock.js";

/**
 * A clock for the job queue, the GitHub rate-limit waits and the fake GitHub's faults: time moves
 * only when the test says so. Stopped, it is still (a hold, a backoff never ends); `advance(ms)`
 * moves it and fires what fell due; after `runFreely()`, whenever a timer is set, time jumps to it
 * at the next turn of the event loop, so a retry due in minutes runs at once while everything that
 * reads the clock sees the minutes pass. No outcome then depends on how fast the machine is.
 */
interface VirtualTimer {
  at: number;
  seq: number;
  fire: () => void;
}

export class VirtualClock implements QueueClock, Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Set<VirtualTimer>();
  private free = false;
  private jumpScheduled = false;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** How far the clock has moved since `since`. */
  elapsedSince(since: number): number {
    return this.time - since;
  }

  setTimer(fire: () => void, ms: number): () => void {
    const timer: VirtualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fire };
    this.timers.add(timer);
    this.scheduleJump();
    return () => this.timers.delete(timer);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  /** From now on time jumps to each timer as soon as the event loop is free of other work. */
  runFreely(): void {
    this.free = true;
    this.scheduleJump();
  }

  /** Moves the clock by `ms`, firing the timers due by then in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (let next = this.earliest(); next && next.at <= target; next = this.earliest()) this.fire(next);
    this.time = target;
  }

  private earliest(): VirtualTimer | undefined {
    let first: VirtualTimer | undefined;
    for (const timer of this.timers) if (!first || timer.at < first.at || (timer.at === first.at && timer.seq < first.seq)) first = timer;
    return first;
  }

  private fire(timer: VirtualTimer): void {
    this.timers.delete(timer);
    this.time = Math.max(this.time, timer.at);
    timer.fire();
  }

  private scheduleJump(): void {
    if (!this.free || this.jumpScheduled || this.timers.size === 0) return;
    this.jumpScheduled = true;
    // setImmediate: after the I/O and promise work already waiting, so a jump never overtakes an
    // answer that has already arrived.
    setImmediate(() => {
      this.jumpScheduled = false;
      const next = this.earliest();
      if (next) this.fire(next);
      this.scheduleJump();
    });
  }
}
