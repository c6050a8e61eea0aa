import { readFile } from "node:fs/promises";
import type { EngineOptions, ReplayEngine } from "./engine.js";
import { ReplayUnavailableError } from "./engine.js";
import type { ReplayCache } from "./replay-migrations.js";

/**
 * The embedded engine's empty start from an image: a new PGlite cluster runs initdb, which takes
 * seconds (2.1–2.4 s measured, issue 20), while loading a data directory image takes a fraction of
 * that. So the first new cluster of a cache is kept, as it is the moment it starts (no statement
 * of any migration has run, no role of any pull request exists), and every later replay that
 * builds a base starts from it. A cached base (an image of a built base history) is another key.
 *
 * initdb is also the replay's largest peak of memory: PGlite runs it in a second instance of
 * itself beside initdb's own WASM module (bench:pglite-memory: 510 MB for a new cluster, 284 MB
 * for one opened from the image). So `npm run build` makes the image once
 * (scripts/pglite-pristine.js, into dist/replay-images/), and a server whose cache has none yet
 * starts from that one: its first replay does not run initdb either.
 */

/** Images made when the package is built: dist/replay-images/, beside dist/replay/ and dist/bundle/ (absent beside src/). */
export const SHIPPED_IMAGES = new URL("../replay-images/", import.meta.url);

/** The pristine image of `engineTag` made by the build, or undefined when there is none. */
export async function shippedPristine(engineTag: string, dir: URL = SHIPPED_IMAGES): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(new URL(`${pristineKey(engineTag)}.tar.gz`, dir)));
  } catch {
    return undefined;
  }
}

/** The cache key of the pristine cluster of an embedded engine version (`engineTag`, e.g. "pglite-0.5.16"). */
export function pristineKey(engineTag: string): string {
  // Cache keys are [a-z0-9-] (image-cache.ts). "wal1": made with 1 MB WAL segments
  // (pglite-worker.ts); an older pristine image, with 16 MB ones, is not reused.
  return `${engineTag.toLowerCase().replace(/[^a-z0-9-]/g, "-")}-pristine-wal1`;
}

export async function openFromPristine(
  cache: ReplayCache,
  engineTag: string,
  options: EngineOptions,
  open: (options: EngineOptions) => Promise<ReplayEngine>,
  shipped: () => Promise<Uint8Array | undefined> = () => Promise.resolve(undefined),
): Promise<ReplayEngine> {
  const key = pristineKey(engineTag);
  const image = (await cache.get(key).catch(() => undefined)) ?? (await shipped().catch(() => undefined));
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
