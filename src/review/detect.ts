import type { RepoConfig } from "../config/repo-config.js";
import { splitByDialect } from "../migrations/dialect.js";
import { detectMigrations, detectOptionsOf } from "../migrations/detect.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { RelevantFile } from "../migrations/relevant-files.js";

/** The paths the pull request adds or modifies: findings are kept, and migrations reviewed, only on these. */
export function changedPaths(relevant: readonly RelevantFile[]): Set<string> {
  return new Set(relevant.filter((f) => f.status !== "removed").map((f) => f.path));
}

/** A changed file the review leaves out on purpose: it is not PostgreSQL (its path or the configuration says so). */
export interface OtherDialectNotReviewed {
  path: string;
  reason: string;
  /** Out of the review's scope: listed, but it does not make the review partial. */
  outOfScope: true;
}

export interface DetectedChanges {
  migrations: Migration[];
  /** The changed files of another SQL dialect, with why they are not reviewed. */
  otherDialect: OtherDialectNotReviewed[];
}

/**
 * Step 2 of the review: which of the gathered files form migrations, of which framework, with
 * their up/down sections; kept are those with a file the pull request changes (a counterpart
 * read beside them is part of its migration, not a migration to review on its own). Files of
 * another SQL dialect never reach the frameworks; the changed ones are listed as not reviewed.
 */
export function detectChanges(files: readonly SourceFile[], relevant: readonly RelevantFile[], config: RepoConfig): DetectedChanges {
  const changed = changedPaths(relevant);
  const otherDialect = splitByDialect(files, config.dialects)
    .other.filter((file) => changed.has(file.path))
    .map((file) => ({ path: file.path, reason: file.reason, outOfScope: true as const }));
  const migrations = detectMigrations(files, detectOptionsOf(config)).filter((m) => m.files.some((path) => changed.has(path)));
  return { migrations, otherDialect };
}

/** The pull request's migrations (step 2 without the list of files left out). */
export function detectChangedMigrations(files: readonly SourceFile[], relevant: readonly RelevantFile[], config: RepoConfig): Migration[] {
  return detectChanges(files, relevant, config).migrations;
}
