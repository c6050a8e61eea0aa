import type { AlterTableCmd, AlterTableType } from "libpg-query";
import type { AnalysisConfig } from "../config/analysis-config.js";
import type { Direction, Migration, MigrationSection } from "../migrations/model.js";
import type { StatementEffects } from "../sql/effects.js";
import type { LockMode } from "../sql/lock-modes.js";
import type { StatementLocks } from "../sql/locks.js";
import type { NotNullView } from "../sql/not-null-facts.js";
import type { NodeKind } from "../sql/nodes.js";
import type { SqlStatement } from "../sql/parse.js";
import type { SourceText } from "../sql/source-text.js";
import type { EstimatedWork } from "./estimates.js";

export type Severity = "error" | "warning" | "note";
export type Category = "locking" | "rollback" | "idempotency" | "destructive" | "compat" | "hygiene";

/** A statement with what the analyser knows about the moment it runs. */
export interface AnalyzedStatement extends SqlStatement {
  path: string;
  direction: Direction;
  section: MigrationSection;
  locks: StatementLocks;
  /** What it creates, drops, renames and adds, read from the tree once. */
  effects: StatementEffects;
  /** Inside a transaction block when it runs: the framework's own, or an explicit BEGIN. */
  inTransaction: boolean;
  /** Inside a transaction the SQL opened itself (BEGIN … COMMIT), as opposed to the framework's. */
  inExplicitTransaction: boolean;
  /**
   * In a transaction only because the runner sent the section as one query of several statements
   * (MigrationSection.oneQuery): Postgres's implicit transaction block, not the framework's.
   */
  inImplicitTransaction: boolean;
  /** `SET [LOCAL] lock_timeout` ran earlier in this section (and was not reset to 0). */
  lockTimeoutSet: boolean;
  statementTimeoutSet: boolean;
  /**
   * Tables on which an earlier statement of the same transaction took ACCESS EXCLUSIVE; that lock
   * is held until the transaction ends, so this statement runs under it.
   */
  heldAccessExclusive: readonly string[];
  /** Relations (tables, indexes, views, types) created earlier in the same migration: new, so empty and unused. */
  createdRelations: { has(name: string): boolean };
  /**
   * For an ALTER TABLE: which of its table's columns earlier up statements (of this migration and
   * the ones before it) declared NOT NULL or proved so with a validated CHECK (col IS NOT NULL).
   */
  notNull?: NotNullView;
}

export interface SectionAnalysis {
  section: MigrationSection;
  statements: AnalyzedStatement[];
}

export interface Fix {
  /** What the fix does, e.g. "Add CONCURRENTLY". */
  title: string;
  /** Replacement for lines line..endLine of the file (whole lines). */
  line: number;
  endLine: number;
  replacement: string;
}

export interface RuleReport<M extends string> {
  messageId: M;
  /** Values for `{{name}}` placeholders in the message. */
  data?: Record<string, string | number>;
  /** What to do instead; shown under the message. */
  help?: string;
  fix?: Fix;
  /** Where, when not the statement itself (migration rules must give path and line). */
  path?: string;
  line?: number;
  endLine?: number;
  /** Overrides the rule's severity for this report. */
  severity?: Severity;
  /**
   * The existing table or tables the finding is about. The engine applies the shared table policy
   * (table-policy.ts), unless `severity` is given: with `work` under a lock of SHARE or stronger,
   * the finding is an error, a warning when every table is configured small; otherwise a warning
   * becomes an error when one of them is configured large. `{{table}}` is the table when there is
   * one and `data` does not set it.
   */
  table?: string | readonly string[];
  /** With `table`: `{{estimate}}` becomes ", for about 50 s (50,000,000 rows)" for this work over their configured rows, or "". */
  work?: EstimatedWork;
  /**
   * The lock held on `table` during `work`, when it is not the one the statement itself takes: a
   * migration rule's report (which has no statement), or a lock kept from earlier in the transaction.
   */
  lock?: LockMode;
}

export interface TableFacts {
  /** Configured row count, if known. */
  rows?: number;
  /** Configured as large, or rows ≥ the configured threshold. */
  large: boolean;
  /** Configured as small, or rows < the small-table threshold (never when large). */
  small: boolean;
}

interface BaseContext<M extends string> {
  migration: Migration;
  config: AnalysisConfig;
  /** Configured facts about a table (by unqualified name), when the repository's config names it. */
  table: (name: string) => TableFacts | undefined;
  report: (report: RuleReport<M>) => void;
}

export interface StatementContext<M extends string> extends BaseContext<M> {
  statement: AnalyzedStatement;
}

export interface AlterTableContext<M extends string> extends StatementContext<M> {
  /** The altered table, which existed before this migration (not created earlier in it). */
  target: string;
  /** Every subcommand of the statement, in order. */
  commands: readonly AlterTableCmd[];
}

export interface MigrationContext<M extends string> extends BaseContext<M> {
  /** Every parsed section, up sections first, in file order. */
  sections: readonly SectionAnalysis[];
  /** The files of the migration, by path. */
  sources: ReadonlyMap<string, SourceText>;
  /**
   * What DROP … CASCADE of `name` drops besides it, as this migration's up and the migrations
   * before it created them (views on it, their indexes, triggers running it), lower-case.
   */
  droppedWith: (name: string) => ReadonlySet<string>;
}

export interface RuleMeta<M extends string> {
  severity: Severity;
  category: Category;
  /** One line: what the rule checks. */
  description: string;
  /** Message templates by id; `{{name}}` is replaced from the report's data. */
  messages: Record<M, string>;
  /** Which directions' statements `statement()` sees. Default: up only (a down is not forward DDL). */
  directions?: readonly Direction[];
}

export interface Rule<M extends string = string> {
  id: string;
  meta: RuleMeta<M>;
  /**
   * The statements `statement()` is for, by node kind: the engine calls it for those only (a kind
   * misspelt does not compile). Every statement when absent.
   */
  nodes?: readonly NodeKind[];
  /** Called for every statement (of `nodes`) of the directions in meta.directions. */
  statement?(context: StatementContext<M>): void;
  /** The ALTER TABLE subcommands `alterTable()` is for; any when absent. */
  subcommands?: readonly AlterTableType[];
  /**
   * Called for each ALTER TABLE (of the directions in meta.directions) on a table that existed
   * before this migration, when it has one of `subcommands`: the engine checks the table and hands
   * over its subcommands.
   */
  alterTable?(context: AlterTableContext<M>): void;
  /** Called once per migration. */
  migration?(context: MigrationContext<M>): void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

/** What the analysis reports; what every output format is made from. */
export interface Finding {
  rule: string;
  severity: Severity;
  category: Category | "syntax" | "suppression" | "agent";
  path: string;
  line: number;
  endLine: number;
  message: string;
  help?: string;
  fix?: Fix;
  /** True when the migration acknowledged it (e.g. an irreversible comment with a reason). */
  acknowledged?: boolean;
  /** Set on findings the data-engineer agent made; absent on the analyser's. */
  origin?: "agent";
}
