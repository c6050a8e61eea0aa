import addRequiredColumn from "./add-required-column.js";
import banCascade from "./ban-cascade.js";
import banCharType from "./ban-char-type.js";
import banDropColumn from "./ban-drop-column.js";
import banDropNotNull from "./ban-drop-not-null.js";
import banDropSchema from "./ban-drop-schema.js";
import banDropTable from "./ban-drop-table.js";
import banRenameColumn from "./ban-rename-column.js";
import banRenameTable from "./ban-rename-table.js";
import banTruncate from "./ban-truncate.js";
import emptyRollback from "./empty-rollback.js";
import irreversibleRollback from "./irreversible-rollback.js";
import missingRollback from "./missing-rollback.js";
import preferBigintId from "./prefer-bigint-id.js";
import preferIdentity from "./prefer-identity.js";
import preferJsonb from "./prefer-jsonb.js";
import preferText from "./prefer-text.js";
import preferTimestamptz from "./prefer-timestamptz.js";
import requireIfNotExists from "./require-if-not-exists.js";
import rollbackMismatch from "./rollback-mismatch.js";
import transactionNesting from "./transaction-nesting.js";
import type { Rule } from "./types.js";
import uncommittedTransaction from "./uncommitted-transaction.js";

/** Rollback, idempotency, destructive, compatibility and hygiene rules (see docs/rules/). */
export const GENERAL_RULES: readonly Rule[] = [
  // Rollback
  missingRollback,
  emptyRollback,
  irreversibleRollback,
  rollbackMismatch,
  // Destructive
  banDropColumn,
  banDropTable,
  banDropSchema,
  banTruncate,
  banCascade,
  // Compatibility
  banRenameColumn,
  banRenameTable,
  addRequiredColumn,
  banDropNotNull,
  // Idempotency
  requireIfNotExists,
  // Transaction hygiene
  transactionNesting,
  uncommittedTransaction,
  // Type hygiene
  preferJsonb,
  preferBigintId,
  preferIdentity,
  preferText,
  preferTimestamptz,
  banCharType,
];
