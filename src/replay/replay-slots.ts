/** A counting semaphore; a waiter whose signal aborts leaves the line. */
export class ReplaySlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async use<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else
      await new Promise<void>((resolve, reject) => {
        const granted = () => {
          signal?.removeEventListener("abort", aborted);
          resolve();
        };
        const aborted = () => {
          this.waiting.splice(this.waiting.indexOf(granted), 1);
          reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
        };
        this.waiting.push(granted);
        signal?.addEventListener("abort", aborted, { once: true });
      });
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
