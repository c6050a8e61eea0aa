import type { FrameworkId } from "../framework-ids.js";
import type { FrameworkDetector } from "./detector.js";
import type { CounterpartFinder } from "./support/counterparts.js";

/**
 * Everything the product knows about one migration framework, in one object: where its files
 * live, how to recognise them, which other files complete a changed one, the transaction it runs
 * migrations in, and what the findings tell its users to write. Every field is required, so a new
 * framework that forgets one does not compile; the registry (./index.ts) needs one per id.
 */
export interface Framework<Id extends FrameworkId = FrameworkId> extends FrameworkDetector {
  id: Id;
  /**
   * Globs (case-insensitive) of the paths its migrations and metadata use: a changed file matching
   * one is worth reading. The defaults of `paths.include` are the union over all frameworks.
   */
  paths: readonly string[];
  /** The other files of a changed file's migration: the same finder serves the review's gather and `lint`. */
  counterparts: CounterpartFinder;
  transaction: TransactionMode;
  texts: FrameworkTexts;
}

export interface TransactionMode {
  /** Whether the framework runs each migration in a transaction of its own unless the migration opts out. */
  wraps: boolean;
  /**
   * The directive, as written in or beside the migration, that makes it run outside one (what the
   * detector looks for); null when the framework wraps nothing, or when no opt-out is read.
   */
  optOut: string | null;
}

/** What findings tell a user of this framework to write. */
export interface FrameworkTexts {
  /** How to add the down a migration lacks (`missing-rollback`), e.g. "Add a `-- +goose Down` section". */
  addDown: string;
  /** How to run a migration outside a transaction (`concurrently-in-transaction`). */
  leaveTransaction: string;
  /**
   * How to build an index on a busy table without blocking writes, in this framework's own terms
   * (`require-concurrent-index`): CONCURRENTLY and the way out of the migration's transaction.
   */
  concurrentIndex: string;
  /**
   * How to add a foreign key without validating it at once, then validate it later, in this
   * framework's own terms (`require-not-valid-foreign-key`); SQL advice when not given.
   */
  notValidForeignKey?: string;
}

/** The `missing-rollback` advice for frameworks without a down of their own shape. */
export const GENERIC_ADD_DOWN = "Add a down migration";

/** The `concurrently-in-transaction` advice for frameworks whose opt-out is not read. */
export const GENERIC_LEAVE_TRANSACTION = "put it in a migration that your framework runs outside a transaction";

/** The `require-concurrent-index` advice for migrations written in SQL. */
export const SQL_CONCURRENT_INDEX = "Use CREATE INDEX CONCURRENTLY, in a migration that does not run in a transaction.";
