import type { Logger } from "pino";
import type { JobSlots } from "./store.js";
import type { JobQueue, QueueSettings } from "../queue.js";

/** The BullMQ adapter's options, its own records' shapes and its tuning constants (bullmq-queue.ts runs them). */

export interface BullmqQueueOptions {
  /** redis://… */
  url: string;
  /** BullMQ queue name; default "data-engineer". */
  queueName?: string;
  /** Redis key prefix; default BullMQ's "bull". */
  prefix?: string;
  settings?: Partial<QueueSettings>;
  log?: Logger;
  /** How long a running job's lock (and slot lease) lasts without renewal; default 30 s. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose process died; default 30 s. */
  stalledIntervalMs?: number;
  /** How long a failed hook waits before it is called again; HOOK_RETRY_MS (a minute) by default. Taken at the next hook sweep (every lock duration). */
  hookRetryMs?: number;
}

export interface BullmqJobQueue extends JobQueue {
  readonly adapter: "bullmq";
  /**
   * Drops every connection at once without settling anything, as when the process is killed: the
   * running jobs' locks and leases run out and another instance runs them again. For tests.
   */
  kill(): Promise<void>;
}

/** What BullMQ keeps as a job's data; the payload lives in the adapter's record. */
export interface BullData {
  kind: string;
  installationId?: number;
  coalesceKey?: string;
}

/** What a BullMQ job completes with. */
export type BullResult = "done" | "superseded" | "gone";

export interface Running {
  slots: JobSlots;
  controller: AbortController;
  /** Resolves when the job's run and its bookkeeping are over. */
  settled: Promise<void>;
}

/** Reconnection attempts a command waits through before it fails (ioredis's default is 20). */
export const COMMAND_RETRIES = 2;
/** How long a command (never a blocking one: BullMQ's worker has its own connection) may take. */
export const COMMAND_TIMEOUT_MS = 5_000;
export const DEFAULT_QUEUE_NAME = "data-engineer";
export const DEFAULT_LOCK_MS = 30_000;
export const DEFAULT_STALLED_MS = 30_000;
export const PING_TIMEOUT_MS = 2_000;
/** After a failure of the adapter itself (Redis unreachable), the job is tried again this much later. */
export const INTERNAL_RETRY_MS = 1_000;
/** Longest wait of a job for a taken slot before it looks again (a freed slot promotes it sooner). */
export const MAX_BLOCKED_WAIT_MS = 5_000;
/** How long `stop` waits for runs it aborted at the end of the grace period. */
export const ABORT_SETTLE_MS = 5_000;
/** How long `close` waits for hooks still being called. */
export const HOOK_DRAIN_MS = 2_000;
/** BullMQ must not fail a job for stalling: the adapter counts runs itself (and dead-letters). */
export const UNLIMITED_STALLS = 1_000_000;
/** The same connection error is logged at most once in this period. */
export const ERROR_LOG_INTERVAL_MS = 10_000;
