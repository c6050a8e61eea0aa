import type { RepoConfig } from "../config/repo-config.js";
import { detectMigrations, detectOptionsOf } from "../migrations/detect.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { RelevantFile } from "../migrations/relevant-files.js";

/** The paths the pull request adds or modifies: findings are kept, and migrations reviewed, only on these. */
export function changedPaths(relevant: readonly RelevantFile[]): Set<string> {
  return new Set(relevant.filter((f) => f.status !== "removed").map((f) => f.path));
}

/**
 * Step 2 of the review: which of the gathered files form migrations, of which framework, with
 * their up/down sections; kept are those with a file the pull request changes (a counterpart
 * read beside them is part of its migration, not a migration to review on its own).
 */
export function detectChangedMigrations(files: readonly SourceFile[], relevant: readonly RelevantFile[], config: RepoConfig): Migration[] {
  const changed = changedPaths(relevant);
  return detectMigrations(files, detectOptionsOf(config)).filter((m) => m.files.some((path) => changed.has(path)));
}
