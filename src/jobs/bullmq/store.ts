import type { Redis } from "ioredis";
import type { Job, JobPayload, NewJob } from "../queue.js";
import { toBullId, type QueueKeys } from "./keys.js";
import { CLAIM, CLAIM_HOOKS, ENQUEUE, FINISH, HEARTBEAT, HOOK_DONE, runScript } from "./scripts.js";

/**
 * Typed calls of the adapter's scripts (scripts.ts): the job records next to BullMQ's jobs. BullMQ
 * moves jobs between its lists and keeps the locks; these records decide what a job does when a
 * worker takes it, which is what makes coalescing, the slots and the hooks hold across replicas.
 */

export type ClaimResult =
  | { kind: "gone" }
  | { kind: "finished"; state: string; reason: string }
  | { kind: "superseded"; promote: string[] }
  | { kind: "blocked"; waitersKey: string; promote: string[] }
  | { kind: "dead"; runs: number; reason: string; promote: string[] }
  | { kind: "run"; job: Job };

export type Outcome = "done" | "superseded" | "dead" | "retry" | "requeue";

export interface EnqueueResult {
  enqueued: boolean;
  /** BullMQ still holds a finished job with this id from before the retention: remove it first. */
  staleBullJob: boolean;
  /** The job of the coalesce key this one replaced, and whether it was queued or running. */
  replaced?: { id: string; state: "queued" | "running" };
}

/** Where a job's slots are: the coalesce key's and the installation's (or the unused key). */
export interface JobSlots {
  id: string;
  coalesceKey?: string | undefined;
  installationId?: number | undefined;
}

export class JobStore {
  constructor(
    private readonly client: Redis,
    readonly keys: QueueKeys,
    private readonly retentionMs: number,
  ) {}

  async enqueue(job: NewJob, hookOwner: string): Promise<EnqueueResult> {
    const { keys } = this;
    const result = (await runScript(
      this.client,
      ENQUEUE,
      [keys.job(job.id), job.coalesceKey === undefined ? keys.none : keys.latest(job.coalesceKey), keys.bullJob(toBullId(job.id)), keys.superseded, keys.hooks],
      [
        job.id,
        job.kind,
        job.installationId === undefined ? "" : String(job.installationId),
        job.coalesceKey ?? "",
        JSON.stringify(job.payload),
        this.retentionMs,
        hookOwner,
        keys.jobPrefix,
      ],
    )) as unknown[];
    if (Number(result[0]) !== 1) return { enqueued: false, staleBullJob: false };
    const replacedId = result[2];
    const replacedState = result[3];
    return {
      enqueued: true,
      staleBullJob: Number(result[1]) === 1,
      ...(typeof replacedId === "string" && (replacedState === "queued" || replacedState === "running")
        ? { replaced: { id: replacedId, state: replacedState } }
        : {}),
    };
  }

  /** Forgets a job whose enqueue could not reach BullMQ. */
  async forget(id: string): Promise<void> {
    await this.client.del(this.keys.job(id));
  }

  async claim(slots: JobSlots, owner: string, leaseMs: number, perInstallation: number, maxAttempts: number): Promise<ClaimResult> {
    const { keys } = this;
    const result = (await runScript(
      this.client,
      CLAIM,
      [
        keys.job(slots.id),
        slots.coalesceKey === undefined ? keys.none : keys.latest(slots.coalesceKey),
        this.keySlot(slots),
        this.installationSlots(slots),
        keys.superseded,
        keys.hooks,
      ],
      [slots.id, owner, leaseMs, perInstallation, maxAttempts, this.retentionMs, keys.jobPrefix],
    )) as unknown[];
    switch (result[0]) {
      case "finished":
        return { kind: "finished", state: String(result[1]), reason: String(result[2]) };
      case "superseded":
        return { kind: "superseded", promote: strings(result[1]) };
      case "blocked":
        return { kind: "blocked", waitersKey: String(result[1]), promote: strings(result[2]) };
      case "dead":
        return { kind: "dead", runs: Number(result[1]), reason: String(result[2]), promote: strings(result[3]) };
      case "run":
        return { kind: "run", job: toJob(slots.id, pairs(strings(result[2]))) };
      default:
        return { kind: "gone" };
    }
  }

  /** Records how a run ended and frees its slots; returns the jobs that waited for them. */
  async finish(slots: JobSlots, outcome: Outcome, owner: string, reason = ""): Promise<string[]> {
    const { keys } = this;
    const result = await runScript(
      this.client,
      FINISH,
      [keys.job(slots.id), this.keySlot(slots), this.installationSlots(slots), keys.superseded, keys.hooks],
      [slots.id, outcome, owner, this.retentionMs, reason, keys.jobPrefix],
    );
    return strings(result);
  }

  /** Renews the owner's lease and the running jobs' slots; returns the running jobs replaced meanwhile. */
  async heartbeat(owner: string, leaseMs: number, running: readonly JobSlots[]): Promise<string[]> {
    const keys: string[] = [this.keys.owner(owner)];
    const args: (string | number)[] = [leaseMs];
    for (const job of running) {
      keys.push(this.keySlot(job), this.installationSlots(job), job.coalesceKey === undefined ? this.keys.none : this.keys.latest(job.coalesceKey));
      args.push(job.id, job.coalesceKey === undefined ? "0" : "1", job.installationId === undefined ? "0" : "1");
    }
    return strings(await runScript(this.client, HEARTBEAT, keys, args));
  }

  async dropOwner(owner: string): Promise<void> {
    await this.client.del(this.keys.owner(owner));
  }

  /** Takes the hooks whose owner is gone, and the parked ones when `includeParked`. */
  async claimHooks(owner: string, includeParked: boolean): Promise<string[]> {
    return strings(await runScript(this.client, CLAIM_HOOKS, [this.keys.hooks], [owner, includeParked ? "1" : "0", this.keys.ownerPrefix]));
  }

  async hookDone(id: string, owner: string, ok: boolean): Promise<void> {
    await runScript(this.client, HOOK_DONE, [this.keys.hooks], [id, owner, ok ? "1" : "0"]);
  }

  /** The record of a job, for a hook; undefined once the retention dropped it. */
  async load(id: string): Promise<{ job: Job; state: string; reason: string } | undefined> {
    const record = await this.client.hgetall(this.keys.job(id));
    if (record.s === undefined) return undefined;
    return { job: toJob(id, record), state: record.s, reason: record.err ?? "" };
  }

  /** Superseded jobs within the retention. */
  async supersededCount(): Promise<number> {
    const since = Date.now() - this.retentionMs;
    await this.client.zremrangebyscore(this.keys.superseded, "-inf", `(${since}`);
    return this.client.zcard(this.keys.superseded);
  }

  /** Whether a blocked job is still among a slot's waiters (nobody freed the slot since). */
  async isWaiting(waitersKey: string, id: string): Promise<boolean> {
    return (await this.client.sismember(waitersKey, id)) === 1;
  }

  private keySlot(slots: JobSlots): string {
    return slots.coalesceKey === undefined ? this.keys.none : this.keys.keySlot(slots.coalesceKey);
  }

  private installationSlots(slots: JobSlots): string {
    return slots.installationId === undefined ? this.keys.none : this.keys.installationSlots(slots.installationId);
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function pairs(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
}

function parsePayload(text: string | null | undefined): JobPayload | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JobPayload) : undefined;
  } catch {
    return undefined;
  }
}

/** A job from its record; a payload that cannot be read becomes `{}` (the record is ours, so it should not happen). */
function toJob(id: string, record: Record<string, string>): Job {
  const installation = record.inst ?? "";
  const coalesceKey = record.key ?? "";
  return {
    id,
    kind: record.kind ?? "",
    ...(installation !== "" ? { installationId: Number(installation) } : {}),
    ...(coalesceKey !== "" ? { coalesceKey } : {}),
    payload: parsePayload(record.payload) ?? {},
    attempts: Number(record.runs ?? 0),
    enqueuedAt: Number(record.enq ?? 0),
  };
}
