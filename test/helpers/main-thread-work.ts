import { performance } from "node:perf_hooks";

/**
 * The longest stretch of CPU time this thread spent without giving its event loop a turn (to
 * accept a /healthz request), whatever else runs on the machine: CPU time only advances while the
 * thread runs, so a loaded machine that delays the thread does not lengthen a stretch.
 *
 * A timer due every INTERVAL_MS reads the thread's CPU time (`process.threadCpuUsage()`, user +
 * system). Timers run first in each turn of the event loop, so between two of its callbacks there
 * is at most one turn that started after the timer was due, plus turns that started within
 * INTERVAL_MS of the previous callback (which cannot have used more CPU than that wall time):
 * the CPU time between two callbacks is at least the longest uninterrupted work in between (a
 * callback, every microtask after it, every message a port delivers at once) and at most that
 * plus INTERVAL_MS. Time the loop spends waiting costs no CPU.
 *
 * (async_hooks' before/after callbacks were tried first: enabling them around the server's
 * promises aborted the process, an assertion in InternalCallbackScope::Close, Node 24.)
 */

const INTERVAL_MS = 2;

export interface Stretch {
  /** Between these two times (performance.now()'s clock). */
  from: number;
  to: number;
  /** CPU milliseconds of this thread in between. */
  cpuMs: number;
}

export interface MainThreadWork {
  /** The longest stretch within [from, to] (every one by default), in CPU milliseconds. */
  longestMs(from?: number, to?: number): number;
  /** Stretches of at least `ms` CPU milliseconds, in order. */
  over(ms: number): Stretch[];
  /** Ends the watch, counting the work since the last tick. */
  stop(): Promise<void>;
}

function cpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

export function watchMainThreadWork(): Promise<MainThreadWork> {
  const stretches: Stretch[] = [];
  let last = { at: performance.now(), cpu: cpuMs() };
  const tick = () => {
    const now = { at: performance.now(), cpu: cpuMs() };
    stretches.push({ from: last.at, to: now.at, cpuMs: now.cpu - last.cpu });
    last = now;
  };
  const timer = setInterval(tick, INTERVAL_MS);
  let stopped = false;
  return Promise.resolve({
    longestMs: (from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY) =>
      stretches.reduce((longest, s) => (s.from >= from && s.to <= to ? Math.max(longest, s.cpuMs) : longest), 0),
    over: (ms) => stretches.filter((s) => s.cpuMs >= ms),
    stop: () => {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        tick();
      }
      return Promise.resolve();
    },
  });
}
