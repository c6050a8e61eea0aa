import type { Migration, SourceFile } from "../migrations/model.js";
import type { NotAnalysed } from "./analysis-pool.js";

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
  const notReviewed: NotAnalysed[] = [];
  const listed = new Set<string>();
  const list = (migration: Migration, reason: string) => {
    for (const path of migration.files) {
      if (listed.has(path)) continue;
      listed.add(path);
      notReviewed.push({ path, reason, refused: true });
    }
  };
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
  return { analysable, notReviewed };
}
