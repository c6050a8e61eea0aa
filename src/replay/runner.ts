import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { homedir } from "node:os";
import type { Logger } from "pino";
import { openReplayEngine } from "./open-engine.js";
import { fingerprint } from "./fingerprint.js";
import { diffFingerprints } from "./schema-diff.js";
import { traceStatement } from "./trace-locks.js";
import { DirectoryImageCache } from "./image-cache.js";
import type { EngineOptions } from "./engine.js";
import { openFromPristine } from "./pglite-pristine.js";
import { PostgresSpares } from "./postgres-spares.js";
import { ReplaySlots } from "./replay-slots.js";
import type { ReplayTools } from "./replay-migrations.js";
import { verifyByReplay, type ReplayRunner, type VerifyInput } from "./verify.js";

/**
 * The replay as the server and the CLI run it: the engine the repository asks for (PGlite, or
 * the server's DATABASE_URL), the catalog tools, and base schema images cached in
 * `<DATA_DIR>/replay-cache` (the server), else `$XDG_CACHE_HOME/data-engineer/replay-cache`
 * (`~/.cache/…`; the CLI).
 */

export const REPLAY_MEMORY_MB = 1536;
/** Tells the embedded engine's images apart from another PGlite's, which may not open them. */
export const PGLITE_TAG = "pglite-0.5.16";

export interface ReplayRunnerOptions {
  env: NodeJS.ProcessEnv;
  /** Where base images are kept; default DATA_DIR/replay-cache, else the temporary folder. */
  cacheDir?: string;
  log?: Logger;
  /**
   * External engine: keep a spare clone of each recent base template ready (postgres-spares.ts),
   * so that a replay from a cached base starts without copying it. Default: REPLAY_SPARE_CLONES
   * ("1" or "true"); off, every replay clones its base when it starts.
   */
  spareClones?: boolean;
}

export interface ClosableReplayRunner extends ReplayRunner {
  /** Drops what the runner keeps on the external server (spare clones); replays after it clone as usual. */
  close(): Promise<void>;
  /** Waits for the background work of earlier replays (spare clones being made). */
  idle(): Promise<void>;
}

export function createReplayRunner(options: ReplayRunnerOptions): ClosableReplayRunner {
  const env = options.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const cache = new DirectoryImageCache(cacheDir);
  const spareClones = options.spareClones ?? /^(1|true)$/i.test(env.REPLAY_SPARE_CLONES?.trim() ?? "");
  let spares: PostgresSpares | undefined;
  const tools: ReplayTools<Awaited<ReturnType<typeof fingerprint>>> = {
    // A spare clone's fingerprints are read by a session of its own, which the SQL cannot reach.
    fingerprint: async (db) => (await db.catalogFingerprint?.()) ?? fingerprint(db),
    diff: (before, after) => diffFingerprints(before, after),
    trace: (db, sql, known) => traceStatement(db, sql, known),
  };
  const slots = new ReplaySlots(replayConcurrency(env));
  const maxDeadlineSeconds = replayMaxDeadlineSeconds(env);
  return {
    // Slots are shared per installation (the CLI has none: one line); the repository's deadline
    // is capped by the operator's, so that no pull request holds a slot longer than they allow.
    run: (input, run) =>
      slots.use(
        run.signal,
        () => runOne(withDeadlineAtMost(input, maxDeadlineSeconds), run),
        run.installationId === undefined ? "" : String(run.installationId),
      ),
    idle: async () => {
      await spares?.idle();
    },
    close: async () => {
      await spares?.close();
      spares = undefined;
    },
  };

  function runOne(input: Parameters<ReplayRunner["run"]>[0], run: Parameters<ReplayRunner["run"]>[1]): ReturnType<ReplayRunner["run"]> {
    const engine = input.config.replay.engine;
    const databaseUrl = env.DATABASE_URL?.trim();
    if (engine === "postgres" && databaseUrl && spareClones && spares === undefined) {
      try {
        spares = new PostgresSpares(databaseUrl);
      } catch {
        // An unparsable URL: the engine's own open says so in the outcome, without spares.
      }
    }
    const postgresSpares = engine === "postgres" ? spares : undefined;
    const open = (engineOptions: EngineOptions) =>
      openReplayEngine(
        { engine, ...(databaseUrl ? { databaseUrl } : {}) },
        { memoryMb: REPLAY_MEMORY_MB, ...engineOptions, ...(postgresSpares ? { postgresSpares } : {}) },
      );
    return verifyByReplay(input, {
      // PGlite without a cached base starts from the kept image of a new cluster, not from initdb.
      openEngine: (engineOptions) =>
        engine === "pglite" && engineOptions.from === undefined ? openFromPristine(cache, PGLITE_TAG, engineOptions, open) : open(engineOptions),
      tools,
      // PGlite images are files; the external server keeps its bases as template databases, and
      // the cache holds their names, per server (another server has none of them).
      ...(engine === "pglite" ? { cache, engineTag: PGLITE_TAG } : databaseUrl ? { cache, engineTag: postgresEngineTag(databaseUrl) } : {}),
      ...((run.log ?? options.log) ? { log: run.log ?? options.log } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
    });
  }
}

/** Replays at once in this process (REPLAY_CONCURRENCY, default 1): each embedded engine may take up to REPLAY_MEMORY_MB. */
function replayConcurrency(env: NodeJS.ProcessEnv): number {
  const value = Number(env.REPLAY_CONCURRENCY?.trim() || "1");
  return Number.isInteger(value) && value >= 1 && value <= 16 ? value : 1;
}

/**
 * The longest replay the operator allows (REPLAY_MAX_DEADLINE_SECONDS, 5 to 900, default 900):
 * a repository's `replay.deadlineSeconds` above it is cut to it.
 */
export function replayMaxDeadlineSeconds(env: NodeJS.ProcessEnv): number {
  const value = Number(env.REPLAY_MAX_DEADLINE_SECONDS?.trim() || "900");
  return Number.isInteger(value) && value >= 5 && value <= 900 ? value : 900;
}

function withDeadlineAtMost(input: VerifyInput, seconds: number): VerifyInput {
  if (input.config.replay.deadlineSeconds <= seconds) return input;
  return { ...input, config: { ...input.config, replay: { ...input.config.replay, deadlineSeconds: seconds } } };
}

/** The external server a template marker belongs to: host, port and database, hashed (no credentials). */
export function postgresEngineTag(databaseUrl: string): string {
  let where = databaseUrl;
  try {
    const url = new URL(databaseUrl);
    where = `${url.hostname}:${url.port}${url.pathname}`;
  } catch {
    // An unparsable URL fails when the engine opens; the tag only needs to be stable.
  }
  return `postgres-${createHash("sha256").update(where).digest("hex").slice(0, 16)}`;
}

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const dataDir = env.DATA_DIR?.trim();
  if (dataDir) return join(resolve(dataDir), "replay-cache");
  const cacheHome = env.XDG_CACHE_HOME?.trim() || join(homedir(), ".cache");
  return join(cacheHome, "data-engineer", "replay-cache");
}
