import type { ColumnType } from "../sql/column-types.js";
import type { ColumnTypeChange } from "../sql/lock-set.js";
import { defineRule } from "./types.js";

const DISPLAY: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  bpchar: "char",
};

function show(type: ColumnType): string {
  const name = DISPLAY[type.name] ?? type.name;
  const base = type.mods.length > 0 ? `${name}(${type.mods.join(",")})` : name;
  return type.array ? `${base}[]` : base;
}

/** numeric(p) means numeric(p, 0). */
function scale(type: ColumnType): number {
  return type.mods[1] ?? 0;
}

/** When the old type is unknown: the old types for which the change would need no rewrite (the new type itself always). */
function safeOldTypes(to: ColumnType): string {
  const [m] = to.mods;
  const same = show(to);
  switch (to.array ? "" : to.name) {
    case "varchar":
      return m === undefined ? "varchar(n), text or varchar" : `varchar(n) with n ≤ ${m}`;
    case "text":
      return "varchar(n), varchar or text";
    case "numeric":
      return m === undefined ? "numeric(p, s) or numeric" : `numeric(p, ${scale(to)}) with p ≤ ${m}`;
    case "varbit":
      return m === undefined ? "varbit(n) or varbit" : `varbit(n) with n ≤ ${m}`;
    case "inet":
      return "cidr or inet";
    case "timestamptz":
      return `${same}, or timestamp with the session TimeZone set to UTC earlier in the migration`;
    case "timestamp":
      return `${same}, or timestamptz with the session TimeZone set to UTC earlier in the migration`;
    default:
      return same;
  }
}

function isTimestampPair(change: ColumnTypeChange): boolean {
  const names = [change.from?.name, change.to.name].sort().join();
  return names === "timestamp,timestamptz";
}

/**
 * ALTER COLUMN … TYPE rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, except
 * for the binary-coercible changes (column-types.ts, proven by relfilenode in
 * test/sql/rewrite-facts-pglite.test.ts). The lock model judges each change with the old type
 * the analysed migrations set (this migration's and earlier ones'); when they never set it, the
 * message says for which old types it would not rewrite.
 */
export default defineRule({
  id: "unsafe-column-type-change",
  meta: {
    severity: "error",
    category: "locking",
    description: "ALTER COLUMN … TYPE on an existing table rewrites it and its indexes under ACCESS EXCLUSIVE.",
    messages: {
      rewrite:
        "ALTER COLUMN {{column}} TYPE {{type}}{{from}} takes ACCESS EXCLUSIVE on {{table}} and rewrites the table and rebuilds its indexes{{unless}}: every read and write on {{table}} waits for the whole rewrite{{estimate}}. Running code that reads or writes the column may also break on the new type.",
      unknownOld:
        "ALTER COLUMN {{column}} TYPE {{type}} takes ACCESS EXCLUSIVE on {{table}}. The column's current type is not set by the migrations analysed: if it is {{safe}}, Postgres only changes the catalog; if it is anything else, it rewrites the table and rebuilds its indexes, and every read and write on {{table}} waits for the whole rewrite{{estimate}}. Running code that reads or writes the column may also break on the new type.",
    },
  },
  subcommands: ["AT_AlterColumnType"],
  alterTable({ statement, target, report, config }) {
    const help =
      "Add a new column of the new type, keep both in sync (trigger or application), backfill it in batches, switch readers to it, then drop the old column. Type changes that need no rewrite: varchar(n) to a larger n, varchar or text; text to varchar; numeric(p, s) to a larger p; varbit(n) to a larger n; cidr to inet; timestamp to timestamptz (and back) after SET timezone = 'UTC' (PostgreSQL 12+).";
    for (const change of statement.locks.typeChanges ?? []) {
      // Before Postgres 12 timestamp ↔ timestamptz rewrote whatever the TimeZone.
      const rewrites = change.rewrites || (config.postgresVersion < 12 && isTimestampPair(change));
      if (!rewrites) continue;
      const base = { column: change.column, type: show(change.to) };
      const where = { table: target, work: "rewrite" as const };
      if (!change.from && !change.computed) {
        report({ messageId: "unknownOld", data: { ...base, safe: safeOldTypes(change.to) }, help, ...where });
        continue;
      }
      const unless =
        !change.computed && isTimestampPair(change) && config.postgresVersion >= 12
          ? " unless the session TimeZone is UTC (SET timezone = 'UTC' earlier in the migration)"
          : "";
      report({ messageId: "rewrite", data: { ...base, from: change.from ? ` (from ${show(change.from)})` : "", unless }, help, ...where });
    }
  },
});
