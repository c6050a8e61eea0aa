import type { EngineOptions, ReplayEngine } from "./engine.js";
import { ReplayUnavailableError } from "./engine.js";
import type { ReplayCache } from "./replay-migrations.js";

/**
 * The embedded engine's empty start from an image: a new PGlite cluster runs initdb, which takes
 * seconds (2.1–2.4 s measured, issue 20), while loading a data directory image takes a fraction of
 * that. So the first new cluster of a cache is kept, as it is the moment it starts (no statement
 * of any migration has run, no role of any pull request exists), and every later replay that
 * builds a base starts from it. A cached base (an image of a built base history) is another key.
 */

/** The cache key of the pristine cluster of an embedded engine version (`engineTag`, e.g. "pglite-0.5.16"). */
export function pristineKey(engineTag: string): string {
  // Cache keys are [a-z0-9-] (image-cache.ts).
  return `${engineTag.toLowerCase().replace(/[^a-z0-9-]/g, "-")}-pristine`;
}

export async function openFromPristine(
  cache: ReplayCache,
  engineTag: string,
  options: EngineOptions,
  open: (options: EngineOptions) => Promise<ReplayEngine>,
): Promise<ReplayEngine> {
  const key = pristineKey(engineTag);
  const image = await cache.get(key).catch(() => undefined);
  if (image !== undefined) {
    try {
      return await open({ ...options, from: image });
    } catch (error) {
      // A damaged image: forgotten, and a new cluster made (and kept) instead.
      if (!(error instanceof ReplayUnavailableError) || error.why !== "engine") throw error;
      await cache.drop?.(key).catch(() => undefined);
    }
  }
  const engine = await open(options);
  const pristine = await engine.snapshot().catch(() => undefined);
  if (pristine !== undefined) await cache.put(key, pristine).catch(() => undefined);
  return engine;
}
