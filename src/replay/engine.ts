import type { SchemaFingerprint } from "./fingerprint.js";
import type { PhaseTimes } from "./phase-times.js";

/**
 * Where migrations are replayed: a Postgres the replay owns for its whole run. Two engines keep
 * this shape: PGlite (Postgres 18 in WASM) in a child process, the embedded default, and an
 * external server from DATABASE_URL, in a scratch database of its own. PR SQL never runs anywhere
 * but inside one of these.
 */

/** One result row: column name to value as the driver gives it (text, number, boolean, null). */
export type Row = Record<string, unknown>;

/** A statement Postgres refused: its SQLSTATE and message, and where in the statement when it says. */
export class ReplaySqlError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** 1-based character offset in the SQL that was sent, when Postgres gives one. */
    readonly position: number | undefined,
  ) {
    super(message);
    this.name = "ReplaySqlError";
  }
}

/**
 * The replay could not go on for a reason that is not the migration's fault: the deadline, the
 * memory limit, an extension the engine lacks, the engine failing to start. The review then says
 * "replay unavailable: <message>" and posts the rest.
 */
export class ReplayUnavailableError extends Error {
  constructor(
    message: string,
    readonly why: "deadline" | "memory" | "unsupported" | "engine",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ReplayUnavailableError";
  }
}

export interface ReplayEngine {
  readonly kind: "pglite" | "postgres";
  /** `select version()`, for the report. */
  readonly version: string;
  /**
   * The engine's own parts of its start and close, in ms ("start: clone base", "close: drop
   * database"), when it tells them apart: bench:replay prints them (phase-times.ts).
   */
  readonly phases?: Readonly<PhaseTimes>;
  /**
   * The schema fingerprint, read by the engine off the replay's own session (a spare clone's
   * watcher, postgres-spares.ts): the one read ahead while no SQL but RESET ALL has run since,
   * else read now. Undefined when it cannot be (the caller then reads it in the replay's session).
   */
  catalogFingerprint?(): Promise<SchemaFingerprint | undefined>;
  /** Runs one or more statements (simple protocol); throws ReplaySqlError when Postgres refuses. */
  exec(sql: string): Promise<void>;
  /** Runs one query and returns its rows. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * An image of the whole database now, to start another engine from (the base schema cache).
   * PGlite: its data directory as a gzipped tarball; an external server: a marker naming the
   * template database the base was copied into (postgres-templates.ts).
   */
  snapshot(): Promise<Uint8Array | undefined>;
  /** Ends the engine: kills PGlite's process, drops the scratch database. Safe to call twice. */
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Wall-clock limit for the whole replay, from open to close; past it every call rejects with ReplayUnavailableError("deadline"). */
  deadlineMs: number;
  /** PGlite only: the limit of its process's resident set (and its V8 heap), in MB. */
  memoryMb?: number;
  /** Start from a snapshot taken earlier by the same kind of engine, instead of an empty database. */
  from?: Uint8Array;
  /** Extensions the SQL creates (`CREATE EXTENSION x`): PGlite loads those it ships; others are unsupported. */
  extensions?: readonly string[];
  /**
   * The replay's whole time limit, which the message names: `deadlineMs` is what is left of it
   * when the engine opens (the analysis before took some). Default: `deadlineMs`.
   */
  limitMs?: number;
}

/** What every engine rejects with once the replay's wall-clock limit (`limitMs`, the whole of it) has passed. */
export function replayDeadlineError(limitMs: number): ReplayUnavailableError {
  const seconds = Math.round(limitMs / 100) / 10;
  return new ReplayUnavailableError(`the replay ran past ${seconds} s, its time limit`, "deadline");
}
