import type { AlterTableType, ObjectType } from "libpg-query";
import type { LockMode } from "./lock-modes.js";

/**
 * The lock model's tables, kept as data, each with the Postgres source it comes from (paths are in
 * the postgres/postgres repository, REL_18 branch) and checked against pg_locks on PGlite
 * (Postgres 18) by test/sql/locks-pglite.test.ts. Change a table here, not the code that reads it.
 */

const SUE: LockMode = "ShareUpdateExclusiveLock";
const SRE: LockMode = "ShareRowExclusiveLock";

/**
 * The lock each ALTER TABLE subcommand takes on the table: AlterTableGetLockLevel in
 * src/backend/commands/tablecmds.c. Anything not listed takes ACCESS EXCLUSIVE (its default case).
 * ADD CONSTRAINT, DETACH PARTITION and SET (…) depend on their argument: see `alterCommandMode`
 * in locks-alter-table.ts.
 */
export const ALTER_TABLE_MODES: Readonly<Partial<Record<AlterTableType, LockMode>>> = {
  AT_SetStatistics: SUE,
  AT_SetOptions: SUE,
  AT_ResetOptions: SUE,
  AT_ValidateConstraint: SUE,
  AT_ClusterOn: SUE,
  AT_DropCluster: SUE,
  AT_SetRelOptions: SUE,
  AT_ResetRelOptions: SUE,
  AT_ReplaceRelOptions: SUE,
  AT_AttachPartition: SUE,
  AT_DetachPartitionFinalize: SUE,
  AT_ReAddStatistics: SUE,
  AT_EnableTrig: SRE,
  AT_EnableAlwaysTrig: SRE,
  AT_EnableReplicaTrig: SRE,
  AT_DisableTrig: SRE,
  AT_EnableTrigAll: SRE,
  AT_DisableTrigAll: SRE,
  AT_EnableTrigUser: SRE,
  AT_DisableTrigUser: SRE,
};

/**
 * Subcommands that do not recurse to partitions and inheritance children: the ones ATPrepCmd in
 * src/backend/commands/tablecmds.c handles without ATSimpleRecursion (or with its `recurse` off),
 * and those Postgres applies to the named relation alone (ATTACH/DETACH PARTITION, INHERIT).
 */
export const NON_RECURSIVE: ReadonlySet<AlterTableType> = new Set<AlterTableType>([
  "AT_ChangeOwner",
  "AT_EnableRowSecurity",
  "AT_DisableRowSecurity",
  "AT_ForceRowSecurity",
  "AT_NoForceRowSecurity",
  "AT_ReplicaIdentity",
  "AT_SetRelOptions",
  "AT_ResetRelOptions",
  "AT_ReplaceRelOptions",
  "AT_ClusterOn",
  "AT_DropCluster",
  "AT_SetTableSpace",
  "AT_SetAccessMethod",
  "AT_SetLogged",
  "AT_SetUnLogged",
  "AT_AttachPartition",
  "AT_DetachPartition",
  "AT_DetachPartitionFinalize",
  "AT_AddInherit",
  "AT_DropInherit",
  "AT_AddOf",
  "AT_DropOf",
  "AT_GenericOptions",
  "AT_EnableRule",
  "AT_EnableAlwaysRule",
  "AT_EnableReplicaRule",
  "AT_DisableRule",
]);

/**
 * Storage parameters that take ACCESS EXCLUSIVE (AlterTableGetLockLevel → AlterTableGetRelOptionsLockLevel,
 * src/backend/access/common/reloptions.c: the options whose `lockmode` is AccessExclusiveLock, and
 * view options). Every other one (fillfactor, autovacuum_*, …) takes SHARE UPDATE EXCLUSIVE.
 */
export const EXCLUSIVE_OPTIONS: ReadonlySet<string> = new Set(["user_catalog_table", "security_barrier", "security_invoker", "check_option"]);

/**
 * Subcommands that rewrite the table whatever their arguments (ATRewriteTables in tablecmds.c:
 * AT_PASS_MISC commands that set tab->rewrite): SET LOGGED/UNLOGGED, SET ACCESS METHOD,
 * SET TABLESPACE (a copy of the files) and SET EXPRESSION of a stored generated column.
 */
export const REWRITING: ReadonlySet<AlterTableType> = new Set<AlterTableType>([
  "AT_SetLogged",
  "AT_SetUnLogged",
  "AT_SetAccessMethod",
  "AT_SetTableSpace",
  "AT_SetExpression",
]);

/**
 * Built-in functions whose value differs per row (pg_proc.provolatile = 'v', src/include/catalog/pg_proc.dat,
 * plus the uuid-ossp and pgcrypto extensions' generators): a column added with one as its default
 * is written into every row. STABLE ones such as now() are evaluated once and stored in the catalog.
 */
export const VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  "clock_timestamp",
  "timeofday",
  "random",
  "random_normal",
  "gen_random_uuid",
  "uuidv4",
  "uuidv7",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "nextval",
  "setseed",
]);

/**
 * The lock a foreign key's trigger takes on the referencing table when a referenced row is deleted
 * or its key updated, by pg_constraint.confdeltype/confupdtype (src/backend/utils/adt/ri_triggers.c):
 * NO ACTION (a) and RESTRICT (r) only check (SELECT … FOR KEY SHARE: ROW SHARE); CASCADE (c),
 * SET NULL (n) and SET DEFAULT (d) change rows (ROW EXCLUSIVE).
 */
export const FK_TRIGGER_MODE: Readonly<Record<string, LockMode>> = {
  a: "RowShareLock",
  r: "RowShareLock",
  c: "RowExclusiveLock",
  n: "RowExclusiveLock",
  d: "RowExclusiveLock",
};

/** DROP of these takes ACCESS EXCLUSIVE on the relation (RemoveRelations, src/backend/commands/tablecmds.c). */
export const DROPPED_RELATIONS: ReadonlySet<ObjectType> = new Set<ObjectType>([
  "OBJECT_TABLE",
  "OBJECT_VIEW",
  "OBJECT_MATVIEW",
  "OBJECT_SEQUENCE",
  "OBJECT_FOREIGN_TABLE",
  "OBJECT_INDEX",
]);

/**
 * Objects that hang off a table: DROP TRIGGER t ON orders locks orders ACCESS EXCLUSIVE
 * (get_object_address_relobject, src/backend/catalog/objectaddress.c).
 */
export const TABLE_OBJECTS: ReadonlySet<ObjectType> = new Set<ObjectType>(["OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"]);

/** RENAME of a relation (RenameRelation, tablecmds.c): ACCESS EXCLUSIVE, but an index only SHARE UPDATE EXCLUSIVE (Postgres 12+). */
export const RENAMED_RELATIONS: ReadonlySet<ObjectType> = new Set<ObjectType>([
  "OBJECT_TABLE",
  "OBJECT_VIEW",
  "OBJECT_MATVIEW",
  "OBJECT_SEQUENCE",
  "OBJECT_FOREIGN_TABLE",
  "OBJECT_INDEX",
]);
/** RENAME of something on a table (renameatt, RenameConstraint, renametrig, …): ACCESS EXCLUSIVE on the table. */
export const RENAMED_ON_TABLE: ReadonlySet<ObjectType> = new Set<ObjectType>([
  "OBJECT_COLUMN",
  "OBJECT_TABCONSTRAINT",
  "OBJECT_TRIGGER",
  "OBJECT_RULE",
  "OBJECT_POLICY",
]);

/** COMMENT ON / SECURITY LABEL ON a relation or its column: SHARE UPDATE EXCLUSIVE (CommentObject, src/backend/commands/comment.c). */
export const COMMENTED_RELATIONS: ReadonlySet<ObjectType> = new Set<ObjectType>([
  "OBJECT_TABLE",
  "OBJECT_VIEW",
  "OBJECT_MATVIEW",
  "OBJECT_INDEX",
  "OBJECT_SEQUENCE",
  "OBJECT_FOREIGN_TABLE",
]);
/** COMMENT ON a constraint, trigger, rule or policy: the table only ACCESS SHARE (get_object_address_relobject). */
export const COMMENTED_ON_TABLE: ReadonlySet<ObjectType> = new Set<ObjectType>(["OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER", "OBJECT_RULE", "OBJECT_POLICY"]);

/**
 * Built-in functions that are IMMUTABLE or STABLE in every overload (pg_proc.provolatile 'i' or
 * 's'), chosen among those a column DEFAULT calls: a default calling only these is evaluated once
 * and stored in the catalog (Postgres 11+). Checked against PGlite's pg_proc by
 * test/sql/rewrite-facts-pglite.test.ts. A function neither here nor in VOLATILE_FUNCTIONS, and
 * not created IMMUTABLE or STABLE by the migrations analysed, is taken as volatile: that is
 * CREATE FUNCTION's default.
 */
export const NON_VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  "now",
  "statement_timestamp",
  "transaction_timestamp",
  "date_trunc",
  "date_part",
  "make_date",
  "make_time",
  "make_timestamp",
  "make_timestamptz",
  "make_interval",
  "to_timestamp",
  "to_date",
  "to_char",
  "to_number",
  "timezone",
  "lower",
  "upper",
  "btrim",
  "ltrim",
  "rtrim",
  "concat",
  "concat_ws",
  "format",
  "length",
  "char_length",
  "substr",
  "replace",
  "lpad",
  "rpad",
  "repeat",
  "md5",
  "sha256",
  "encode",
  "decode",
  "abs",
  "round",
  "floor",
  "ceil",
  "power",
  "to_json",
  "to_jsonb",
  "json_build_object",
  "jsonb_build_object",
  "json_build_array",
  "jsonb_build_array",
  "array_fill",
  "string_to_array",
  "array_to_string",
  "current_setting",
  "current_schema",
  "current_database",
  "inet_client_addr",
  // STABLE (one value per transaction), though often taken for volatile.
  "txid_current",
]);
