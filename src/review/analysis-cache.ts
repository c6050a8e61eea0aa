import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import type { AnalysisConfig } from "../config/analysis-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import { canonicalJson } from "../rules/cached-analysis.js";
import type { AnalysisResult } from "../rules/engine.js";
import { FileResultStore, type ResultStore } from "../rules/result-store.js";
import { AnalysisAssembler, analysisSlices, type AnalysisSlice } from "./analysis-transfer.js";

/**
 * The review's result cache: a review's analysis (step 3) stored under a key of everything it is
 * a function of, so that the same migrations reviewed again (a re-run, a push that changes other
 * files, a second local `review`) are not parsed and analysed again, and the parser is not loaded.
 *
 *   key = sha256(format, the build's version and code fingerprint, the whole configuration,
 *                every migration as detected, every gathered file's path and text)
 *
 * The review analyses only the pull request's migrations and their counterparts, from empty schema
 * facts (the pipeline gathers nothing before them), so the key needs no chain through earlier
 * migrations as lint's does. What is stored is the analysis as it crosses from the analysis worker
 * (analysis-transfer.ts: statements without the syntax trees nothing after the analysis reads, and
 * the findings), in V8's serialisation, the same structured clone a worker's message uses; a hit is
 * assembled exactly as a worker's answer is. The store checks each entry's length and SHA-256: a
 * damaged entry is a miss.
 */

const FORMAT = "data-engineer review analysis 1";

export interface ReviewAnalysisCache {
  store: ResultStore;
  /** The build's version and code fingerprint: another build's analyses are not reused. */
  toolVersion: string;
  /** Keeps the store within its bounds; called after the first store and every PRUNE_EVERY-th. */
  prune?: () => void;
}

/** A server stores an entry per review: the folder is pruned (a listing and a stat per entry) every this many. */
const PRUNE_EVERY = 32;
let stored = 0;

export function analysisKey(cache: ReviewAnalysisCache, files: readonly SourceFile[], migrations: readonly Migration[], config: AnalysisConfig): string {
  const hash = createHash("sha256");
  const field = (text: string) => hash.update(`${Buffer.byteLength(text)}\0`).update(text);
  field(canonicalJson([FORMAT, cache.toolVersion, config, migrations]));
  for (const file of files) {
    field(file.path);
    field(file.text);
  }
  return hash.digest("hex");
}

/**
 * The stored analysis of these migrations, assembled as a worker's answer is; undefined on a miss,
 * and for an entry over `maxBytes` (left to be analysed where a long deserialisation harms no one).
 */
export function cachedAnalysis(cache: ReviewAnalysisCache, key: string, migrations: readonly Migration[], maxBytes = Infinity): AnalysisResult | undefined {
  const bytes = cache.store.get(key)?.partBytes("analysis");
  if (!bytes || bytes.length > maxBytes) return undefined;
  let slices: AnalysisSlice[];
  try {
    slices = deserialize(bytes) as AnalysisSlice[];
    if (!Array.isArray(slices)) return undefined;
    const assembler = new AnalysisAssembler(migrations);
    for (const slice of slices) assembler.add(slice);
    return assembler.result();
  } catch {
    // Checked bytes that do not assemble (another format under the same key cannot happen: the
    // key holds the format): treated as a miss all the same.
    return undefined;
  }
}

/** Stores a complete analysis of these migrations under `key`. */
export function storeAnalysis(cache: ReviewAnalysisCache, key: string, result: AnalysisResult, migrations: readonly Migration[]): void {
  let bytes: Buffer;
  try {
    bytes = serialize([...analysisSlices(result, migrations)]);
  } catch {
    return; // an analysis that cannot cross as a worker's would: not cached, the review goes on
  }
  cache.store.put(key, { analysis: bytes });
  if (stored++ % PRUNE_EVERY === 0) cache.prune?.();
}

/** A cache in `dir` (the result store's files: bounded, safe under concurrent processes) for this build. */
export function analysisCacheIn(dir: string, toolVersion: string): ReviewAnalysisCache {
  const store = new FileResultStore(dir);
  return { store, toolVersion, prune: () => store.prune() };
}
