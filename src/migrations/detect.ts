import { splitByDialect, type DialectOverrides } from "./dialect.js";
import type { FrameworkDetector } from "./frameworks/detector.js";
import { DETECTION_ORDER, FRAMEWORKS } from "./frameworks/index.js";
import type { FrameworkId, Migration, SourceFile } from "./model.js";

/** Every detector, in detection order (see DETECTION_ORDER for why that order). */
export const FRAMEWORK_DETECTORS: readonly FrameworkDetector[] = DETECTION_ORDER.map((id) => FRAMEWORKS[id]);

export interface DetectOptions {
  /** Configured framework: it reads every file it can first, without needing the usual hints. */
  framework?: FrameworkId | undefined;
  /** How golang-migrate's driver sends a file (`golangMigrate` in the config). */
  golangMigrate?: { multiStatement: boolean } | undefined;
  /** The repository's `dialects`: path globs whose dialect overrides what the path says. */
  dialects?: DialectOverrides | undefined;
}

/** The detection options a configuration gives (its `framework`, `golangMigrate` and `dialects`). */
export function detectOptionsOf(config: DetectOptions): DetectOptions {
  return { framework: config.framework, golangMigrate: config.golangMigrate, dialects: config.dialects };
}

/**
 * The migrations among `files`, each file claimed by at most one framework. With
 * `options.framework`, that framework reads the files first and the rest are detected as usual.
 * Migrations come grouped by folder; within a folder, in each framework's apply order.
 * Files of another SQL dialect (dialect.ts) are left out before any framework sees them: no
 * framework pairs a MySQL down with a PostgreSQL up, nor orders a version by a SQLite file.
 */
export function detectMigrations(files: readonly SourceFile[], options: DetectOptions = {}): Migration[] {
  const forced = options.framework === undefined ? undefined : FRAMEWORK_DETECTORS.find((detector) => detector.id === options.framework);
  let remaining: readonly SourceFile[] = splitByDialect(files, options.dialects).postgres;
  const migrations: Migration[] = [];
  const run = (detector: FrameworkDetector, isForced: boolean): void => {
    if (remaining.length === 0) return;
    const result = detector.detect(remaining, { forced: isForced, golangMigrate: options.golangMigrate, dialectsFiltered: true });
    migrations.push(...result.migrations);
    const claimed = new Set(result.claimed);
    remaining = remaining.filter((file) => !claimed.has(file.path));
  };
  if (forced) run(forced, true);
  for (const detector of FRAMEWORK_DETECTORS) if (detector !== forced) run(detector, false);
  // A stable sort: within a folder, detectors' own order stands.
  return migrations.sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}
