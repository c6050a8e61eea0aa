/**
 * A job's id in BullMQ, which refuses custom ids that contain ":" or look like integers (the app's
 * ids are delivery ids, with ":<pull number>" when one delivery makes several jobs).
 */
export function toBullId(id: string): string {
  return `j_${id.replace(/[%:]/g, (char) => (char === "%" ? "%25" : "%3A"))}`;
}

export function fromBullId(bullId: string): string {
  return bullId.slice(2).replace(/%(25|3A)/g, (_, code: string) => (code === "25" ? "%" : ":"));
}

/**
 * The Redis keys of one queue. BullMQ keeps its own under `<prefix>:<queue>:`; the adapter keeps
 * its bookkeeping under `<prefix>:<queue>:de:` (job states, coalesce keys, slots, hooks).
 */
export class QueueKeys {
  /** BullMQ's namespace of the queue, `<prefix>:<queue>:`. */
  readonly bull: string;
  /** The adapter's namespace, `<prefix>:<queue>:de:`. */
  readonly base: string;

  constructor(prefix: string, queueName: string) {
    this.bull = `${prefix}:${queueName}:`;
    this.base = `${this.bull}de:`;
  }

  /** Hash: the adapter's record of a job (state, payload, runs…), kept for the retention. */
  job(id: string): string {
    return `${this.jobPrefix}${id}`;
  }

  get jobPrefix(): string {
    return `${this.base}job:`;
  }

  /** String: the newest job id of a coalesce key. */
  latest(coalesceKey: string): string {
    return `${this.base}latest:${coalesceKey}`;
  }

  /** Sorted set (member job id, score lease expiry): the one job of a coalesce key that runs. */
  keySlot(coalesceKey: string): string {
    return `${this.base}run:${coalesceKey}`;
  }

  /** Sorted set (member job id, score lease expiry): the jobs of an installation that run. */
  installationSlots(installationId: number): string {
    return `${this.base}inst:${installationId}`;
  }

  /** Sorted set (member job id, score when): superseded jobs, for `counts()`. */
  get superseded(): string {
    return `${this.base}superseded`;
  }

  /** Hash: job id → owner of its pending `superseded`/`deadLetter` call ("" none, "!failed" parked). */
  get hooks(): string {
    return `${this.base}hooks`;
  }

  /** String with a lease: a live queue instance. */
  owner(ownerId: string): string {
    return `${this.ownerPrefix}${ownerId}`;
  }

  get ownerPrefix(): string {
    return `${this.base}owner:`;
  }

  /** Pub/sub channel: job ids whose running job must be aborted (superseded). */
  get abortChannel(): string {
    return `${this.base}abort`;
  }

  /** A key never written, passed to a script where a key is optional. */
  get none(): string {
    return `${this.base}none`;
  }

  /** BullMQ's hash of a job, by its BullMQ id. */
  bullJob(bullId: string): string {
    return `${this.bull}${bullId}`;
  }

  /** BullMQ's list of active jobs. */
  get bullActive(): string {
    return `${this.bull}active`;
  }
}
