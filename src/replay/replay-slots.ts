/**
 * A counting semaphore shared fairly between installations: when a slot frees, it goes to the
 * waiting installation with the fewest replays running, and among those to the one served least
 * recently (never served first); within an installation, first come first served. One installation opening
 * many pull requests thus waits behind itself, not in front of everyone. A waiter whose signal
 * aborts leaves the line.
 */
export class ReplaySlots {
  private free: number;
  /** Waiters per installation, installations in the order they started waiting (a Map keeps it). */
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly running = new Map<string, number>();
  /** When each installation was last granted a slot (a count of grants). */
  private readonly served = new Map<string, number>();
  private grants = 0;

  constructor(size: number) {
    this.free = size;
  }

  /** Runs `work` in a slot; `tenant` (the installation) shares the slots fairly with the others. */
  async use<T>(signal: AbortSignal | undefined, work: () => Promise<T>, tenant = ""): Promise<T> {
    if (this.free > 0) {
      this.free--;
      this.grant(tenant);
    } else {
      // handOn counts the slot as this installation's when it grants it.
      await this.wait(signal, tenant);
    }
    try {
      return await work();
    } finally {
      const left = (this.running.get(tenant) ?? 1) - 1;
      if (left === 0) this.running.delete(tenant);
      else this.running.set(tenant, left);
      this.handOn();
    }
  }

  private wait(signal: AbortSignal | undefined, tenant: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const granted = () => {
        signal?.removeEventListener("abort", aborted);
        resolve();
      };
      const aborted = () => {
        const line = this.waiting.get(tenant) ?? [];
        line.splice(line.indexOf(granted), 1);
        if (line.length === 0) this.waiting.delete(tenant);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      const line = this.waiting.get(tenant);
      if (line) line.push(granted);
      else this.waiting.set(tenant, [granted]);
      signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  /** The freed slot to the fairest waiter, else back to the pool. */
  private handOn(): void {
    let chosen: string | undefined;
    for (const tenant of this.waiting.keys()) {
      if (chosen === undefined || this.before(tenant, chosen)) chosen = tenant;
    }
    if (chosen === undefined) {
      this.free++;
      return;
    }
    const line = this.waiting.get(chosen) ?? [];
    const next = line.shift();
    if (line.length === 0) this.waiting.delete(chosen);
    this.grant(chosen);
    next?.();
  }

  /** Whether `a` is served before `b`: fewer replays running, else served longer ago. */
  private before(a: string, b: string): boolean {
    const running = (this.running.get(a) ?? 0) - (this.running.get(b) ?? 0);
    if (running !== 0) return running < 0;
    return (this.served.get(a) ?? -1) < (this.served.get(b) ?? -1);
  }

  private grant(tenant: string): void {
    this.running.set(tenant, (this.running.get(tenant) ?? 0) + 1);
    this.served.set(tenant, this.grants++);
  }
}
