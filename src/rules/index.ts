import addRequiredColumn from "./add-required-column.js";
import banAddExclusionConstraint from "./ban-add-exclusion-constraint.js";
import banAddPrimaryKey from "./ban-add-primary-key.js";
import banAddUniqueConstraint from "./ban-add-unique-constraint.js";
import banCascade from "./ban-cascade.js";
import banCharType from "./ban-char-type.js";
import banDropColumn from "./ban-drop-column.js";
import banDropNotNull from "./ban-drop-not-null.js";
import banDropSchema from "./ban-drop-schema.js";
import banDropTable from "./ban-drop-table.js";
import banRenameColumn from "./ban-rename-column.js";
import banRenameTable from "./ban-rename-table.js";
import banTruncate from "./ban-truncate.js";
import banVacuumFull from "./ban-vacuum-full.js";
import { syntaxError, templatedSql, unusedIgnore } from "./builtin.js";
import concurrentlyInTransaction from "./concurrently-in-transaction.js";
import emptyRollback from "./empty-rollback.js";
import { RULE_IDS, type RuleId } from "../ids/rule-ids.js";
import irreversibleRollback from "./irreversible-rollback.js";
import missingRollback from "./missing-rollback.js";
import preferBigintId from "./prefer-bigint-id.js";
import preferIdentity from "./prefer-identity.js";
import preferJsonb from "./prefer-jsonb.js";
import preferText from "./prefer-text.js";
import preferTimestamptz from "./prefer-timestamptz.js";
import { replayDownFails, replayDownMismatch, replayReapplyFails, replayTracedLock, replayUpFails } from "./replay-checks.js";
import requireConcurrentDetach from "./require-concurrent-detach.js";
import requireConcurrentIndexDrop from "./require-concurrent-index-drop.js";
import requireConcurrentIndex from "./require-concurrent-index.js";
import requireConcurrentReindex from "./require-concurrent-reindex.js";
import requireIfNotExists from "./require-if-not-exists.js";
import requireLockTimeout from "./require-lock-timeout.js";
import requireNotValidCheck from "./require-not-valid-check.js";
import requireNotValidForeignKey from "./require-not-valid-foreign-key.js";
import requireStatementTimeout from "./require-statement-timeout.js";
import rewritingColumnAdd from "./rewriting-column-add.js";
import rewritingStorageChange from "./rewriting-storage-change.js";
import rollbackMismatch from "./rollback-mismatch.js";
import setNotNullScan from "./set-not-null-scan.js";
import transactionNesting from "./transaction-nesting.js";
import type { Rule } from "./types.js";
import unbatchedBackfill from "./unbatched-backfill.js";
import uncommittedTransaction from "./uncommitted-transaction.js";
import unsafeColumnTypeChange from "./unsafe-column-type-change.js";
import validateInSameTransaction from "./validate-in-same-transaction.js";
import volatileDefaultRewrite from "./volatile-default-rewrite.js";
import workAfterAccessExclusive from "./work-after-access-exclusive.js";
import requireForeignKeyIndex from "./require-foreign-key-index.js";
import identifierTooLong from "./identifier-too-long.js";
import domainConstraintScan from "./domain-constraint-scan.js";
import enumAddValueInTransaction from "./enum-add-value-in-transaction.js";
import combineAlterTable from "./combine-alter-table.js";

/**
 * The registry: every rule by its id (typescript-eslint's rules/index.ts shape). Typed against the
 * ids module, so a rule id without a rule, or a rule under a name that is not a rule id, does not
 * compile; test/rules/registry.test.ts checks that each rule's own id is its key. `npm run
 * new-rule <id>` adds the import and the entry.
 */
export const RULE_REGISTRY = {
  "require-concurrent-index": requireConcurrentIndex,
  "require-concurrent-index-drop": requireConcurrentIndexDrop,
  "require-concurrent-reindex": requireConcurrentReindex,
  "require-concurrent-detach": requireConcurrentDetach,
  "concurrently-in-transaction": concurrentlyInTransaction,
  "require-not-valid-foreign-key": requireNotValidForeignKey,
  "require-not-valid-check": requireNotValidCheck,
  "validate-in-same-transaction": validateInSameTransaction,
  "ban-add-unique-constraint": banAddUniqueConstraint,
  "ban-add-primary-key": banAddPrimaryKey,
  "ban-add-exclusion-constraint": banAddExclusionConstraint,
  "set-not-null-scan": setNotNullScan,
  "volatile-default-rewrite": volatileDefaultRewrite,
  "rewriting-column-add": rewritingColumnAdd,
  "unsafe-column-type-change": unsafeColumnTypeChange,
  "require-lock-timeout": requireLockTimeout,
  "require-statement-timeout": requireStatementTimeout,
  "work-after-access-exclusive": workAfterAccessExclusive,
  "unbatched-backfill": unbatchedBackfill,
  "ban-vacuum-full": banVacuumFull,
  "missing-rollback": missingRollback,
  "empty-rollback": emptyRollback,
  "irreversible-rollback": irreversibleRollback,
  "rollback-mismatch": rollbackMismatch,
  "ban-drop-column": banDropColumn,
  "ban-drop-table": banDropTable,
  "ban-drop-schema": banDropSchema,
  "ban-truncate": banTruncate,
  "ban-cascade": banCascade,
  "ban-rename-column": banRenameColumn,
  "ban-rename-table": banRenameTable,
  "add-required-column": addRequiredColumn,
  "ban-drop-not-null": banDropNotNull,
  "require-if-not-exists": requireIfNotExists,
  "transaction-nesting": transactionNesting,
  "uncommitted-transaction": uncommittedTransaction,
  "prefer-jsonb": preferJsonb,
  "prefer-bigint-id": preferBigintId,
  "prefer-identity": preferIdentity,
  "prefer-text": preferText,
  "prefer-timestamptz": preferTimestamptz,
  "ban-char-type": banCharType,
  "rewriting-storage-change": rewritingStorageChange,
  "require-foreign-key-index": requireForeignKeyIndex,
  "identifier-too-long": identifierTooLong,
  "domain-constraint-scan": domainConstraintScan,
  "enum-add-value-in-transaction": enumAddValueInTransaction,
  "combine-alter-table": combineAlterTable,
  // Raised by the engine itself.
  "syntax-error": syntaxError,
  "templated-sql": templatedSql,
  "unused-ignore": unusedIgnore,
  // Raised by the replay (meta only: no checks of their own).
  "replay-up-fails": replayUpFails,
  "replay-down-fails": replayDownFails,
  "replay-down-mismatch": replayDownMismatch,
  "replay-reapply-fails": replayReapplyFails,
  "replay-traced-lock": replayTracedLock,
} as const satisfies { readonly [Id in RuleId]: Rule };

/** Every rule, in the order of the ids module: ids, docs, SARIF and dispatch all derive from it. */
export const RULES: readonly Rule[] = RULE_IDS.map((id) => RULE_REGISTRY[id]);

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.id, rule]));

/** Each rule's one-line description by id (for the configuration's JSON Schema). */
export const RULE_DESCRIPTIONS = Object.fromEntries(RULES.map((rule) => [rule.id, rule.meta.description])) as Readonly<Record<RuleId, string>>;
