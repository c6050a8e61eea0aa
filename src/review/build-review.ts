import type { AgentOutcome } from "../agent/agent-review.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { SourceFile } from "../migrations/model.js";
import type { ChangedFile, RelevantFile } from "../migrations/relevant-files.js";
import type { FileListing } from "../report/check-output.js";
import type { ReplayOutcome } from "../replay/replay-migrations.js";
import { analyzeMigrations } from "../rules/engine.js";
import { composeReview, type BuiltReview } from "./compose.js";
import { detectChanges } from "./detect.js";

export type { BuiltReview } from "./compose.js";

/**
 * The review of files already in hand, with no head commit to read: steps 2, 3 and 6 of the
 * pipeline (detect, analyse, compose). `data-engineer demo` prints it for its sample pull request.
 * Call `loadSqlParser()` once before.
 */

export interface ReviewInput {
  /** Files read at the head commit: the changed migrations and their counterparts. */
  files: readonly SourceFile[];
  /** The changed migration and SQL files, with GitHub's patches. */
  relevant: readonly RelevantFile[];
  config: RepoConfig;
  /** Fingerprints of findings posted by earlier reviews. */
  posted: ReadonlySet<string>;
  notReviewed: ReadonlyArray<{ path: string; reason: string }>;
  listing: FileListing;
  headSha: string;
  /** Every file the pull request changes, with patches. */
  changed?: readonly ChangedFile[];
  /** The data-engineer agent's run, when it ran. */
  agent?: AgentOutcome;
  /** The replay in a real Postgres, when it ran. */
  replay?: ReplayOutcome;
  /** Policy findings as inline comments too (see ComposeInput.policyInline). */
  policyInline?: boolean;
}

export function buildReview(input: ReviewInput): BuiltReview {
  const { migrations, otherDialect } = detectChanges(input.files, input.relevant, input.config);
  const analysis = analyzeMigrations(input.files, migrations, { config: input.config });
  return composeReview({ ...input, gathered: { files: input.files, notReviewed: [...input.notReviewed, ...otherDialect] }, analysis });
}
