/**
 * Where a replay's time goes, by phase: starting the engine (and, inside it, cloning the base,
 * making the role), tracing the pull request's up, the fingerprints, down, up again, closing.
 * bench:replay prints these per engine; the outcome carries them for anyone who wants to know
 * why a replay was slow. Times are in milliseconds and add up when a phase runs more than once
 * (a fingerprint before up and one after down).
 */

export type PhaseTimes = Record<string, number>;

export class PhaseTimer {
  readonly times: PhaseTimes = {};
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Runs `work` and adds its time to `phase`, whether it resolves or rejects. */
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const started = this.#now();
    try {
      return await work();
    } finally {
      this.add(phase, this.#now() - started);
    }
  }

  add(phase: string, ms: number): void {
    this.times[phase] = (this.times[phase] ?? 0) + ms;
  }

  /** Another timer's phases, each under `prefix` (an engine's own parts of its start and close). */
  merge(prefix: string, times: Readonly<PhaseTimes>): void {
    for (const [phase, ms] of Object.entries(times)) this.add(`${prefix}${phase}`, ms);
  }
}
