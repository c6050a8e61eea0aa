import type { Migration, SourceFile } from "../migrations/model.js";

/** A changed file the analysis could not finish, and why. `refused`: the check must not pass. */
export interface NotAnalysed {
  path: string;
  reason: string;
  refused: true;
}

/** The files a review could not analyse, each listed once with the first reason it met. */
export class RefusedFiles {
  readonly entries: NotAnalysed[] = [];
  readonly #listed = new Set<string>();

  /** Lists every file of the migration not listed yet. */
  list(migration: Migration, reason: string): void {
    for (const path of migration.files) this.add({ path, reason, refused: true });
  }

  add(entry: NotAnalysed): void {
    if (this.#listed.has(entry.path)) return;
    this.#listed.add(entry.path);
    this.entries.push(entry);
  }
}

/**
 * Byte limits checked before a review's SQL reaches the parser. The worker's heap cap
 * (`resourceLimits.maxOldGenerationSizeMb`) does not bound libpg-query's WebAssembly memory, which
 * grows with what it parses and never shrinks: the size of the text is what bounds it up front.
 * Migrations are taken in order; one with a file over the limit for a file is listed as not
 * reviewed, and from the first that would take the review over its limit, it and every later one.
 */

export interface ByteLimits {
  /** The most bytes (UTF-8) of one file the analysis parses. */
  maxFileBytes: number;
  /** The most bytes of every migration's files together, in one review. */
  maxReviewBytes: number;
}

export interface WithinByteLimits {
  /** The migrations to analyse, in their order. */
  analysable: Migration[];
  notReviewed: NotAnalysed[];
}

export function withinByteLimits(files: readonly SourceFile[], migrations: readonly Migration[], limits: ByteLimits): WithinByteLimits {
  const sizes = new Map<string, number>();
  const sizeOf = (path: string): number => {
    let size = sizes.get(path);
    if (size === undefined) {
      const file = files.find((f) => f.path === path);
      size = file ? Buffer.byteLength(file.text, "utf8") : 0;
      sizes.set(path, size);
    }
    return size;
  };
  const analysable: Migration[] = [];
  const refused = new RefusedFiles();
  const list = (migration: Migration, reason: string) => refused.list(migration, reason);
  let total = 0;
  let overReview = false;
  for (const migration of migrations) {
    const large = migration.files.find((path) => sizeOf(path) > limits.maxFileBytes);
    if (large !== undefined) {
      list(migration, `${large} holds ${sizeOf(large)} bytes, more than the analysis parses of one file (${limits.maxFileBytes})`);
      continue;
    }
    const bytes = migration.files.reduce((sum, path) => sum + sizeOf(path), 0);
    if (overReview || total + bytes > limits.maxReviewBytes) {
      overReview = true;
      list(migration, `the review's migrations hold more than ${limits.maxReviewBytes} bytes, the most the analysis parses for one review`);
      continue;
    }
    total += bytes;
    analysable.push(migration);
  }
  return { analysable, notReviewed: refused.entries };
}
