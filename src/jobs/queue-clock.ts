/**
 * The time a job queue runs on: when it is, and a timer for the next delayed job (a retry's
 * backoff, a parked hook). Production uses the system clock; tests inject a virtual one, so that a retry
 * due in two minutes runs at once while the queue still sees two minutes pass, and no test
 * outcome depends on how fast a loaded machine is.
 */
export interface QueueClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fire` once `ms` have passed and returns what cancels it. The timer never keeps the process alive. */
  setTimer(fire: () => void, ms: number): () => void;
}

/** Node's timers cap a delay at 2^31-1 ms (about 24.8 days); a longer one fires at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export const systemQueueClock: QueueClock = {
  // Read at each call (not captured once): tests that fake Date keep working.
  now: () => Date.now(),
  setTimer(fire, ms) {
    const timer = setTimeout(fire, Math.min(Math.max(0, ms), LONGEST_TIMER_MS));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
