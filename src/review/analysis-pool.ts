import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { AnalysisConfig } from "../config/analysis-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { AnalysisResult } from "../rules/engine.js";
import type { FromAnalysisWorker, ToAnalysisWorker } from "./analysis-protocol.js";
import { RefusedFiles, withinByteLimits, type NotAnalysed } from "./analysis-byte-limits.js";
import { AnalysisAssembler, type TreesKept } from "./analysis-transfer.js";
import { analysisWorkerOptions } from "./analysis-worker-options.js";

export type { NotAnalysed };

/**
 * A pool of worker threads that parse and analyse reviews' migrations, so that the event loop every
 * tenant shares (webhooks, health checks) never runs libpg-query on a pull request's SQL: a 1 MiB
 * migration keeps the parser and the rules busy for seconds (6 s measured for 27 000 statements).
 *
 * Each review runs on one worker under a wall-clock deadline for the whole review and one for each
 * migration, and under a cap on the worker's JS heap. A worker over a limit is terminated (the
 * next review gets a fresh one); the migration it was on is listed as not reviewed, refused (the
 * check then fails: a file we could not read to the end could hide any statement), and the
 * review's other migrations are analysed again without it while the review's deadline lasts.
 * Workers start on first use; each loads the WASM parser once.
 */

export interface AnalysisPoolSettings {
  /** Worker threads, each analysing one review at a time. */
  workers: number;
  /** The wall-clock limit for analysing one review's migrations, every attempt included. */
  reviewDeadlineMs: number;
  /** The wall-clock limit for one migration (its files parsed and analysed). */
  migrationDeadlineMs: number;
  /** V8's old-generation limit for each worker (`resourceLimits.maxOldGenerationSizeMb`). */
  memoryMb: number;
  /**
   * The most bytes of one file, and of one review's migrations, sent to the parser (none when
   * absent): they bound libpg-query's WebAssembly memory, which the heap limit above does not.
   */
  maxFileBytes?: number;
  maxReviewBytes?: number;
  /** A worker whose WebAssembly memory (the parser's heap) grew over this is replaced after its review (never when absent). */
  parserMemoryMb?: number;
}

export interface PooledAnalysis {
  result: AnalysisResult;
  notReviewed: NotAnalysed[];
}

export interface AnalysisPoolOptions extends AnalysisPoolSettings {
  log?: Logger;
  /** The worker script; analysis-worker.js next to this module by default. */
  script?: URL;
}

/** Why an attempt stopped short. */
type Attempt =
  | { kind: "analysed"; result: AnalysisResult; parserMemoryBytes: number }
  | { kind: "over-migration-limit"; index: number; reason: string }
  | { kind: "over-review-deadline" }
  | { kind: "failed"; error: Error };

interface Slot {
  worker: Worker | undefined;
  busy: boolean;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * analysis-worker.js beside this module in the compiled dist/. Run from the TypeScript sources
 * (the tests), the worker is the compiled one: Node cannot load the sources' `.js` imports of
 * `.ts` files, and the test setup builds dist/ first.
 */
export function defaultWorkerScript(): URL {
  const beside = new URL("./analysis-worker.js", import.meta.url);
  if (existsSync(beside)) return beside;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return pathToFileURL(join(dir, "dist", "review", "analysis-worker.js"));
  }
  return beside;
}

export class AnalysisPool {
  private readonly slots: Slot[];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private readonly script: URL;
  private nextId = 1;
  private closed = false;
  private started = 0;

  constructor(private readonly options: AnalysisPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`an analysis pool needs at least one worker, not ${options.workers}`);
    this.slots = Array.from({ length: options.workers }, () => ({ worker: undefined, busy: false }));
    this.script = options.script ?? defaultWorkerScript();
  }

  /**
   * Analyses `migrations` on a worker; the files it could not finish within the limits are listed,
   * not thrown. `trees`: which statements' syntax trees come back, those the review's reports read
   * (the default) or those the replay reads too (analysis-transfer.ts).
   */
  async analyse(files: readonly SourceFile[], migrations: readonly Migration[], config: AnalysisConfig, trees: TreesKept = "report"): Promise<PooledAnalysis> {
    const slot = await this.acquire();
    try {
      return await this.analyseOn(slot, files, migrations, config, trees);
    } finally {
      this.release(slot);
    }
  }

  /** Workers started so far (each replaced one counts). */
  get workersStarted(): number {
    return this.started;
  }

  /** Terminates every worker; analyses in progress fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => this.retire(slot)));
  }

  private async analyseOn(
    slot: Slot,
    files: readonly SourceFile[],
    migrations: readonly Migration[],
    config: AnalysisConfig,
    trees: TreesKept,
  ): Promise<PooledAnalysis> {
    const { reviewDeadlineMs, log } = this.options;
    const deadline = performance.now() + reviewDeadlineMs;
    const refused = new RefusedFiles();
    const notReviewed = refused.entries;
    const list = (migration: Migration, reason: string) => refused.list(migration, reason);
    const limits = withinByteLimits(files, migrations, {
      maxFileBytes: this.options.maxFileBytes ?? Number.POSITIVE_INFINITY,
      maxReviewBytes: this.options.maxReviewBytes ?? Number.POSITIVE_INFINITY,
    });
    for (const entry of limits.notReviewed) refused.add(entry);
    if (limits.notReviewed.length > 0) log?.warn({ files: limits.notReviewed }, "analysis refused files over its byte limits");
    let remaining = limits.analysable;
    for (;;) {
      if (remaining.length === 0) return { result: { migrations: [], findings: [] }, notReviewed };
      const attempt = await this.attempt(slot, files, remaining, config, trees, deadline);
      switch (attempt.kind) {
        case "analysed": {
          const capMb = this.options.parserMemoryMb;
          if (capMb !== undefined && attempt.parserMemoryBytes > capMb * 1024 * 1024) {
            // WebAssembly memory never shrinks: only a fresh worker gives it back.
            log?.info(
              { parserMemoryMb: Math.round(attempt.parserMemoryBytes / 1024 / 1024), capMb },
              "the analysis worker's parser memory is over its cap; it is replaced",
            );
            await this.retire(slot);
          }
          return { result: attempt.result, notReviewed };
        }
        case "failed":
          throw attempt.error;
        case "over-review-deadline": {
          log?.warn({ migrations: remaining.length, deadlineMs: reviewDeadlineMs }, "analysis stopped at the review's deadline; its worker is replaced");
          const reason = `analysis took longer than ${seconds(reviewDeadlineMs)} (the limit for one review)`;
          for (const migration of remaining) list(migration, reason);
          return { result: { migrations: [], findings: [] }, notReviewed };
        }
        case "over-migration-limit": {
          const culprit = remaining[attempt.index];
          if (!culprit) throw new Error(`the analysis worker named migration ${attempt.index} of ${remaining.length}`);
          log?.warn({ migration: culprit.folder, files: culprit.files, reason: attempt.reason }, "analysis of a migration stopped; its worker is replaced");
          list(culprit, attempt.reason);
          // The others again, without it: what it would have taught later ones (its tables) is lost.
          remaining = remaining.filter((_, i) => i !== attempt.index);
        }
      }
    }
  }

  private attempt(
    slot: Slot,
    files: readonly SourceFile[],
    migrations: readonly Migration[],
    config: AnalysisConfig,
    trees: TreesKept,
    deadline: number,
  ): Promise<Attempt> {
    const { migrationDeadlineMs, memoryMb } = this.options;
    const worker = this.workerOf(slot);
    const id = this.nextId++;
    const assembler = new AnalysisAssembler(migrations);
    return new Promise<Attempt>((resolve) => {
      let current = 0;
      let parserMemoryBytes = 0;
      let migrationTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (attempt: Attempt, healthy: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(reviewTimer);
        clearTimeout(migrationTimer);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        // A worker stopped mid-analysis may hold any state (a half-built heap, a parser mid-file): a fresh one follows.
        if (!healthy) void this.retire(slot);
        resolve(attempt);
      };
      const armMigrationTimer = () => {
        clearTimeout(migrationTimer);
        const index = current;
        migrationTimer = setTimeout(
          () => finish({ kind: "over-migration-limit", index, reason: `analysis took longer than ${seconds(migrationDeadlineMs)}` }, false),
          migrationDeadlineMs,
        );
      };
      const reviewTimer = setTimeout(() => finish({ kind: "over-review-deadline" }, false), Math.max(0, deadline - performance.now()));
      const send = (message: ToAnalysisWorker) => worker.postMessage(message);
      const onMessage = (message: FromAnalysisWorker) => {
        if (message.id !== id) return;
        switch (message.type) {
          case "begin":
            armMigrationTimer();
            return;
          case "migration-done":
            current = message.index + 1;
            armMigrationTimer();
            return;
          case "analysed":
            parserMemoryBytes = message.parserMemoryBytes;
            // The limits are for the analysis; the hand-over is paced by this thread and bounded by the result's size.
            clearTimeout(reviewTimer);
            clearTimeout(migrationTimer);
            send({ type: "next", id });
            return;
          case "slice":
            assembler.add(message.slice);
            // The next slice after other work waiting on the event loop (an HTTP request) has had its turn.
            setImmediate(() => {
              if (!settled) send({ type: "next", id });
            });
            return;
          case "done":
            finish({ kind: "analysed", result: assembler.result(), parserMemoryBytes }, true);
            return;
          case "failed": {
            const error = new Error(`the analysis failed: ${message.message}`);
            if (message.stack) error.stack = message.stack;
            finish({ kind: "failed", error }, true);
            return;
          }
        }
      };
      const onError = (error: Error & { code?: unknown }) => {
        if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
          finish({ kind: "over-migration-limit", index: current, reason: `analysis ran out of memory (more than ${memoryMb} MiB)` }, false);
        } else finish({ kind: "failed", error: new Error(`the analysis worker failed: ${error.message}`, { cause: error }) }, false);
      };
      const onExit = (code: number) => finish({ kind: "failed", error: new Error(`the analysis worker stopped (exit code ${code})`) }, false);
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      try {
        send({ type: "analyse", id, files, migrations, config, trees });
      } catch (error) {
        // Something the structured clone cannot copy: a defect of the caller's, the worker is fine.
        finish({ kind: "failed", error: error instanceof Error ? error : new Error(String(error)) }, true);
      }
    });
  }

  private workerOf(slot: Slot): Worker {
    if (this.closed) throw new Error("the analysis pool is closed");
    if (!slot.worker) this.started++;
    slot.worker ??= new Worker(this.script, analysisWorkerOptions(this.options.memoryMb));
    return slot.worker;
  }

  private async retire(slot: Slot): Promise<void> {
    const worker = slot.worker;
    slot.worker = undefined;
    await worker?.terminate();
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      free.worker?.ref();
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) {
      next(slot);
      return;
    }
    slot.busy = false;
    // An idle worker does not keep the process alive.
    slot.worker?.unref();
  }
}
