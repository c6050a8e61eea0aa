import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import { DEFAULT_ANALYSIS_CONFIG } from "../config/analysis-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import { loadSqlParser } from "../sql/parse.js";
import { canonicalJson } from "./canonical-json.js";
import { Analysis, fixCheckOptions, type AnalysisOptions, type AnalysisState, type MigrationAnalysis } from "./engine.js";
import { checkFixes } from "./fix-check.js";
import { RULES } from "./index.js";
import { MigrationPacks, type FoundMigration, type PackWriter } from "./migration-packs.js";
import type { ResultStore } from "./result-store.js";
import type { IgnoreDirective } from "./suppression.js";
import type { Finding } from "./types.js";

/**
 * The incremental result cache over the engine: each migration's part of the analysis (its
 * findings before ignores apply, its ignore directives, its unparsed template statements) and the
 * facts after it, stored under a key that chains everything the part depends on:
 *   key₀ = sha256(format, tool version, the whole AnalysisConfig, the rules run)
 *   keyᵢ = sha256(keyᵢ₋₁, migration i as detected, the text of each of its files)
 * so an earlier migration's change, or another config or Postgres version, changes every key
 * after it. A hit replays the part; a miss analyses the migration from the facts of the one before
 * (restored from its entry when that one was a hit) and stores it. The parser is loaded on the
 * first miss only: a run of hits never loads libpg-query. Ignores and the notes of `finish()`
 * apply to the whole run afterwards, as in a run without the cache, so the output is the same.
 * The parts a run stores go into one pack file for the run (migration-packs.ts), written as each
 * migration is analysed, not one file per migration.
 */

/** What a caller keeps of each migration's statements (lint's `--details`), stored beside its findings. */
export interface Projection<T> {
  /** Names the projection and its version: an entry written by another is a miss for this one. */
  name: string;
  of: (analysis: MigrationAnalysis) => T;
}

export interface CachedAnalysisOptions<T> extends AnalysisOptions {
  store: ResultStore;
  /** The tool's version and a fingerprint of its code: results of another build are not reused. */
  toolVersion: string;
  projection?: Projection<T>;
  /** Stores the facts after every n-th migration; STATE_EVERY by default (tests vary it). */
  stateEvery?: number;
  /** Loads the parser (tests count the calls); `loadSqlParser` by default. */
  loadParser?: () => Promise<void>;
}

export interface CachedMigration<T> {
  migration: Migration;
  /** The projection, when one was asked for. */
  projected?: T;
  /** Whether the migration's part came from the cache. */
  hit: boolean;
}

export interface CachedAnalysisResult<T> {
  migrations: Array<CachedMigration<T>>;
  /** Sorted by path, then line: the same as `analyzeMigrations` gives. */
  findings: Finding[];
}

/** One migration's part of the analysis. */
interface MigrationPart {
  findings: Finding[];
  directives: IgnoreDirective[];
  /** Unparsed template statements per file: the first line (when the file had none before) and how many. */
  templateErrors: Array<{ path: string; line: number; count: number }>;
}

const FORMAT = "data-engineer analysis parts 2";

/**
 * The facts are stored after every STATE_EVERY-th migration and after the last of a run, not after
 * each: they grow with the schema (megabytes for a long folder), so storing each would cost time
 * and space quadratic in the folder's length. A miss after a migration without stored facts
 * analyses again from the nearest one with them, at most STATE_EVERY - 1 migrations back; a
 * migration added at the end starts from the last one's, always stored. 64 rather than 32: on the
 * 250-migration corpus the facts grow ~10 KB a migration, and every 32nd stored 11 MB of JSON on a
 * cold run (~60 ms of CPU to encode, more to hash and write), every 64th 6 MB; what it costs is an
 * edit deep in the history re-analysing up to 63 migrations instead of 31, where editing an old
 * migration is rare and appending one (which starts from the last facts) is the common change.
 */
export const STATE_EVERY = 64;

/** Where the lint cache's callers have always imported it from; the function lives in canonical-json.ts. */
export { canonicalJson };

/** The chained keys, one per migration. */
export function migrationKeys(files: readonly SourceFile[], migrations: readonly Migration[], options: CachedAnalysisOptions<unknown>): string[] {
  const texts = new Map(files.map((file) => [file.path, file.text]));
  const rules = (options.rules ?? RULES).map((rule) => rule.id);
  let previous = createHash("sha256")
    .update(canonicalJson([FORMAT, options.toolVersion, options.config ?? DEFAULT_ANALYSIS_CONFIG, rules, options.projection?.name ?? null]))
    .digest("hex");
  return migrations.map((migration) => {
    const hash = createHash("sha256").update(previous).update("\0").update(canonicalJson(migration));
    const paths = [...new Set([...migration.files, ...migration.sections.map((s) => s.path)])].sort();
    for (const path of paths) {
      const text = texts.get(path) ?? "";
      hash.update(`\0${path}\0${Buffer.byteLength(text)}\0`).update(text);
    }
    previous = hash.digest("hex");
    return previous;
  });
}

interface Planned {
  /** Where a hit's parts were read (a run that analyses something lists its pack again). */
  found?: FoundMigration;
  part?: MigrationPart;
  projected?: unknown;
  /** The facts after it, read only for a hit followed by a miss. */
  state?: AnalysisState;
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * A part and a projection are stored in V8's serialisation (a worker message's structured clone):
 * half the CPU of JSON.stringify and a UTF-8 copy for findings (measured: 52 ms against 119 ms for
 * a 250-migration corpus's), read back as fast. The facts stay JSON, which measured faster for them.
 */
function decoded<T>(bytes: Buffer | undefined): T | undefined {
  if (bytes === undefined) return undefined;
  try {
    return deserialize(bytes) as T;
  } catch {
    return undefined;
  }
}

/**
 * Which migrations are hits: an entry whose part (and projection, when asked) is intact, and, for
 * a hit followed by a miss, whose facts are stored and intact too (the miss starts from them); a
 * hit without them there becomes a miss itself, back to one with facts or to the start.
 */
function plan<T>(keys: readonly string[], packs: MigrationPacks | undefined, options: CachedAnalysisOptions<T>): Planned[] {
  const found = keys.map((key) => packs?.find(key));
  const entries = found.map((f) => f?.entry);
  const planned = found.map((f): Planned => {
    const part = decoded<MigrationPart>(f?.entry.partBytes("part"));
    if (!f || !part || typeof part !== "object") return {};
    if (!options.projection) return { found: f, part };
    const projected = decoded<unknown>(f.entry.partBytes(`projection:${options.projection.name}`));
    return projected === undefined ? {} : { found: f, part, projected };
  });
  for (let i = planned.length - 1; i > 0; i--) {
    const before = planned[i - 1];
    if (planned[i]?.part || !before?.part) continue;
    const state = parse<AnalysisState>(entries[i - 1]?.part("state"));
    if (state) before.state = state;
    else planned[i - 1] = {};
  }
  return planned;
}

/** `analyzeMigrations` through the result cache. */
export async function analyzeMigrationsCached<T>(
  files: readonly SourceFile[],
  migrations: readonly Migration[],
  options: CachedAnalysisOptions<T>,
): Promise<CachedAnalysisResult<T>> {
  const keys = migrationKeys(files, migrations, options);
  const packs = keys[0] === undefined ? undefined : new MigrationPacks(options.store, keys[0]);
  const planned = plan(keys, packs, options);
  const analysis = new Analysis(new Map(files.map((file) => [file.path, file.text])), options.config ?? DEFAULT_ANALYSIS_CONFIG, options.rules ?? RULES);
  const results: Array<CachedMigration<T>> = [];
  const pack = packs?.begin(planned.flatMap((p, i) => (p.part && p.found ? [{ key: keys[i] ?? "", found: p.found }] : [])));
  try {
    await analyseInto(analysis, files, migrations, keys, planned, pack, options, results);
  } catch (error) {
    pack?.abort();
    throw error;
  }
  pack?.finish();
  return { migrations: results, findings: analysis.finish() };
}

/** Replays the hits and analyses the misses, in order, adding each miss's parts to the run's pack. */
async function analyseInto<T>(
  analysis: Analysis,
  files: readonly SourceFile[],
  migrations: readonly Migration[],
  keys: readonly string[],
  planned: readonly Planned[],
  pack: PackWriter | undefined,
  options: CachedAnalysisOptions<T>,
  results: Array<CachedMigration<T>>,
): Promise<void> {
  const fixCheck = fixCheckOptions(options);
  const filesByPath = new Map(files.map((file) => [file.path, file]));
  let parserLoaded = false;
  for (const [i, migration] of migrations.entries()) {
    const hit = planned[i];
    if (hit?.part) {
      replay(analysis, hit.part);
      results.push({ migration, hit: true, ...(options.projection ? { projected: hit.projected as T } : {}) });
      continue;
    }
    const before = planned[i - 1];
    if (before?.state) analysis.restore(before.state);
    if (!parserLoaded) {
      await (options.loadParser ?? loadSqlParser)();
      parserLoaded = true;
    }
    const findingsBefore = analysis.findings.length;
    const directivesBefore = analysis.directives.length;
    const templateBefore = new Map([...analysis.templateErrors].map(([path, known]) => [path, known.count]));
    const analysed = analysis.analyzeMigration(migration);
    // The fix check of analyzeMigrations, per migration as it is analysed, so that a part holds
    // the fixes a run without the cache would offer (each linted again in its migration).
    const fresh = analysis.findings.slice(findingsBefore);
    // Its own files only, as analyzeEach gives it: the check reads no other, and a map of every
    // file built for each migration was quadratic in the folder's length.
    const own = migration.files.flatMap((path) => filesByPath.get(path) ?? []);
    const checked = checkFixes({ migrations: [analysed], findings: fresh }, own, fixCheck).findings;
    analysis.findings.splice(findingsBefore, fresh.length, ...checked);
    const part: MigrationPart = {
      findings: checked,
      directives: analysis.directives.slice(directivesBefore),
      templateErrors: [...analysis.templateErrors]
        .map(([path, { line, count }]) => ({ path, line, count: count - (templateBefore.get(path) ?? 0) }))
        .filter((added) => added.count > 0),
    };
    const projected = options.projection?.of(analysed);
    const keepState = i === migrations.length - 1 || (i + 1) % (options.stateEvery ?? STATE_EVERY) === 0;
    pack?.add({
      key: keys[i] ?? "",
      parts: {
        part: serialize(part),
        ...(keepState ? { state: Buffer.from(JSON.stringify(analysis.state()), "utf8") } : {}),
        ...(options.projection ? { [`projection:${options.projection.name}`]: serialize(projected) } : {}),
      },
    });
    results.push({ migration, hit: false, ...(options.projection ? { projected: projected } : {}) });
  }
}

/** Adds a stored part to the analysis as `analyzeMigration` would have. */
function replay(analysis: Analysis, part: MigrationPart): void {
  analysis.findings.push(...part.findings);
  analysis.directives.push(...part.directives);
  for (const { path, line, count } of part.templateErrors) {
    const known = analysis.templateErrors.get(path);
    if (known) known.count += count;
    else analysis.templateErrors.set(path, { line, count });
  }
}
