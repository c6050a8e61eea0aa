import banAddExclusionConstraint from "./ban-add-exclusion-constraint.js";
import banAddPrimaryKey from "./ban-add-primary-key.js";
import banAddUniqueConstraint from "./ban-add-unique-constraint.js";
import banVacuumFull from "./ban-vacuum-full.js";
import concurrentlyInTransaction from "./concurrently-in-transaction.js";
import requireConcurrentDetach from "./require-concurrent-detach.js";
import requireConcurrentIndex from "./require-concurrent-index.js";
import requireConcurrentIndexDrop from "./require-concurrent-index-drop.js";
import requireConcurrentReindex from "./require-concurrent-reindex.js";
import requireLockTimeout from "./require-lock-timeout.js";
import requireNotValidCheck from "./require-not-valid-check.js";
import requireNotValidForeignKey from "./require-not-valid-foreign-key.js";
import requireStatementTimeout from "./require-statement-timeout.js";
import rewritingColumnAdd from "./rewriting-column-add.js";
import setNotNullScan from "./set-not-null-scan.js";
import type { Rule } from "./types.js";
import unbatchedBackfill from "./unbatched-backfill.js";
import unsafeColumnTypeChange from "./unsafe-column-type-change.js";
import validateInSameTransaction from "./validate-in-same-transaction.js";
import volatileDefaultRewrite from "./volatile-default-rewrite.js";
import workAfterAccessExclusive from "./work-after-access-exclusive.js";

/** The locking rules (see docs/rules/). */
export const LOCKING_RULES: readonly Rule[] = [
  requireConcurrentIndex,
  requireConcurrentIndexDrop,
  requireConcurrentReindex,
  requireConcurrentDetach,
  concurrentlyInTransaction,
  requireNotValidForeignKey,
  requireNotValidCheck,
  validateInSameTransaction,
  banAddUniqueConstraint,
  banAddPrimaryKey,
  banAddExclusionConstraint,
  setNotNullScan,
  volatileDefaultRewrite,
  rewritingColumnAdd,
  unsafeColumnTypeChange,
  requireLockTimeout,
  requireStatementTimeout,
  workAfterAccessExclusive,
  unbatchedBackfill,
  banVacuumFull,
];
