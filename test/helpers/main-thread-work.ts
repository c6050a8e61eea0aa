import { createHook } from "node:async_hooks";
import { performance } from "node:perf_hooks";

/**
 * The longest stretch of CPU time this thread spent between two chances of the event loop to
 * accept I/O (a /healthz request), whatever else runs on the machine: CPU time only advances
 * while the thread runs, so a loaded machine that delays it does not lengthen a stretch.
 *
 * A stretch starts with the first callback of an event-loop iteration (async_hooks' `before`, of
 * a timer, a socket, a message port, a promise…) and ends at the first callback of a later
 * iteration (libuv's loop count, `performance.nodeTiming.uvMetricsInfo.loopCount`, has moved:
 * the loop went through its poll phase in between). Callbacks of one iteration, such as every
 * message a port delivers at once, or the microtasks after a callback, are one stretch: nothing
 * else could run between them. Its CPU time is `process.threadCpuUsage()` (user + system) from
 * start to end; time the loop spent waiting costs no CPU, so the figure is the work alone, an
 * upper bound of it (the end of an iteration's bookkeeping counts too).
 */
export interface MainThreadWork {
  /** The longest stretch so far, in CPU milliseconds. */
  longestMs(): number;
  /** Stretches of at least `ms` CPU milliseconds, in order. */
  over(ms: number): number[];
  stop(): void;
}

function cpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

function loopCount(): number {
  return performance.nodeTiming.uvMetricsInfo.loopCount;
}

export function watchMainThreadWork(): MainThreadWork {
  const stretches: number[] = [];
  let open: { iteration: number; cpu: number } | undefined;
  const close = (now: number) => {
    if (open) stretches.push(now - open.cpu);
  };
  const hook = createHook({
    before() {
      const iteration = loopCount();
      if (open?.iteration === iteration) return;
      const now = cpuMs();
      close(now);
      open = { iteration, cpu: now };
    },
  });
  hook.enable();
  let stopped = false;
  return {
    longestMs: () => Math.max(0, ...stretches),
    over: (ms) => stretches.filter((s) => s >= ms),
    stop() {
      if (stopped) return;
      stopped = true;
      hook.disable();
      close(cpuMs());
      open = undefined;
    },
  };
}
