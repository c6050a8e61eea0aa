/**
 * The SQL an Alembic `upgrade()` issues on PostgreSQL, read call by call: op.create_table,
 * add_column, alter_column (type_, nullable, server_default, new_column_name), drop_column,
 * create_index / drop_index (postgresql_concurrently), create_foreign_key, create_unique_constraint,
 * create_check_constraint, drop_constraint, drop_table, rename_table and op.execute, the same calls
 * on `batch_op` inside `with op.batch_alter_table(…)` (on PostgreSQL these are plain ALTERs).
 * Calls inside `with op.get_context().autocommit_block():` run outside the migration's
 * transaction; calls in a branch for another dialect (`if … "sqlite" …:`) are left out.
 */

import type { SourceText } from "../../../sql/source-text.js";
import type { GeneratedStatement } from "../../generated-sql.js";
import type { CodeBlock } from "./code-block.js";
import { type OrmColumn, type OrmOperation, rawStatement, statementsAt } from "./orm-statements-sql.js";
import {
  type PyCall,
  type PyValue,
  argument,
  pyCall,
  pyCallAt,
  pyFalse,
  pyLiteral,
  pyNames,
  pyString,
  pyStringStart,
  pyTrue,
} from "./orm-statements-python-values.js";

/** A statement and whether it runs inside an autocommit block (outside the transaction). */
export interface AlembicStatement extends GeneratedStatement {
  outsideTransaction: boolean;
}

const SIMPLE_TYPES: Record<string, string> = {
  Text: "text",
  TEXT: "text",
  UnicodeText: "text",
  Integer: "integer",
  INTEGER: "integer",
  INT: "integer",
  BigInteger: "bigint",
  BIGINT: "bigint",
  SmallInteger: "smallint",
  SMALLINT: "smallint",
  Boolean: "boolean",
  BOOLEAN: "boolean",
  Date: "date",
  DATE: "date",
  Time: "time without time zone",
  Float: "double precision",
  FLOAT: "double precision",
  REAL: "real",
  JSON: "json",
  JSONB: "jsonb",
  UUID: "uuid",
  Uuid: "uuid",
  LargeBinary: "bytea",
  BYTEA: "bytea",
  Interval: "interval",
  INTERVAL: "interval",
  INET: "inet",
  CIDR: "cidr",
  TSVECTOR: "tsvector",
  CITEXT: "citext",
};

/** A SQLAlchemy type (`sa.String(length=50)`, `sa.Integer()`, `postgresql.JSONB`) as SQL; undefined for others. */
function sqlType(value: PyValue | undefined): string | undefined {
  if (!value) return undefined;
  const call = pyCall(value);
  const name = call ? call.name : (/^(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)$/.exec(value.text.trim())?.[1] ?? "");
  const simple = SIMPLE_TYPES[name];
  if (simple) return simple;
  const first = call ? argument(call, 0, "length") : undefined;
  const digits = (v: PyValue | undefined) => (v && /^\d+$/.test(v.text.trim()) ? v.text.trim() : undefined);
  switch (name) {
    case "String":
    case "VARCHAR":
    case "Unicode": {
      const length = digits(first);
      return length ? `character varying(${length})` : "character varying";
    }
    case "CHAR": {
      const length = digits(first);
      return length ? `character(${length})` : "character(1)";
    }
    case "DateTime":
    case "TIMESTAMP":
      return pyTrue(call?.keywords.get("timezone")) ? "timestamp with time zone" : "timestamp without time zone";
    case "Numeric":
    case "NUMERIC": {
      const precision = digits(call ? argument(call, 0, "precision") : undefined);
      const scale = digits(call ? argument(call, 1, "scale") : undefined);
      return precision ? `numeric(${precision}${scale ? `, ${scale}` : ""})` : "numeric";
    }
    case "ARRAY": {
      const item = call ? sqlType(argument(call, 0, "item_type")) : undefined;
      return item ? `${item}[]` : undefined;
    }
    default:
      return undefined;
  }
}

/** `server_default="x"`, `sa.text("now()")`, `sa.false()`: the column's DEFAULT as SQL; undefined when unreadable. */
function serverDefault(value: PyValue | undefined): string | undefined {
  if (!value) return undefined;
  const call = pyCall(value);
  if (call?.name === "text") return pyString(call.positional[0]);
  if (call && (call.name === "true" || call.name === "false") && call.positional.length === 0) return call.name;
  if (call?.name === "func" || call?.callee.startsWith("sa.func.") || call?.callee.startsWith("func.")) {
    return call.positional.length === 0 ? `${call.name}()` : undefined;
  }
  const literal = pyLiteral(value);
  return literal === "NULL" ? undefined : literal;
}

/** `sa.Column("name", sa.Type(), nullable=False, server_default=…)`; undefined when its type is not known here. */
function column(value: PyValue | undefined): OrmColumn | undefined {
  const call = pyCall(value);
  if (!call || call.name !== "Column") return undefined;
  const name = pyString(call.positional[0] ?? call.keywords.get("name"));
  const type = sqlType(call.positional[1] ?? call.keywords.get("type_"));
  if (!name || !type) return undefined;
  const result: OrmColumn = { name, type };
  const primaryKey = pyTrue(call.keywords.get("primary_key"));
  if (primaryKey) result.primaryKey = true;
  // SQLAlchemy columns are nullable unless they say otherwise (or are the primary key).
  else if (pyFalse(call.keywords.get("nullable"))) result.notNull = true;
  const given = call.keywords.get("server_default");
  if (given) {
    const value = serverDefault(given);
    if (value === undefined) return { name, type };
    result.default = value;
  }
  if (pyTrue(call.keywords.get("unique"))) result.unique = true;
  return result;
}

/** `op.f("ix_name")` or `"ix_name"`. */
function nameOf(value: PyValue | undefined): string | undefined {
  const call = pyCall(value);
  if (call && call.name === "f") return pyString(call.positional[0]);
  return pyString(value);
}

/** Index columns: names, or `sa.text("lower(email)")` expressions. */
function indexColumns(value: PyValue | undefined): { columns: string[]; expressions: boolean } | undefined {
  const names = pyNames(value);
  if (names) return { columns: names, expressions: false };
  if (!value) return undefined;
  const text = value.text.trim();
  if (!text.startsWith("[")) return undefined;
  const inner = text.slice(1, -1);
  const parts = inner
    .split(/,(?![^(]*\))/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const read = parts.map((part) => {
    const call = pyCall({ text: part, start: 0 });
    return call?.name === "text" ? pyString(call.positional[0]) : (pyString(part) ?? undefined);
  });
  if (!read.every((part): part is string => part !== undefined)) return undefined;
  return {
    columns: parts.map((part, i) => (part.startsWith("sa.text") || part.startsWith("text") ? (read[i] ?? "") : `"${read[i] ?? ""}"`)),
    expressions: true,
  };
}

/** The operations of one call, `table` being the batch table for `batch_op` calls (then it is not an argument). */
function operations(call: PyCall, batchTable: string | undefined): OrmOperation[] | undefined {
  const shift = batchTable === undefined ? 1 : 0;
  const tableArg = (index: number, name: string) => (batchTable !== undefined ? batchTable : pyString(argument(call, index, name)));
  switch (call.name) {
    case "create_table": {
      const table = pyString(argument(call, 0, "table_name"));
      if (!table) return undefined;
      const columns: OrmColumn[] = [];
      let primaryKey: string[] | undefined;
      for (const item of call.positional.slice(1)) {
        const read = column(item);
        if (read) columns.push(read);
        const constraint = pyCall(item);
        if (constraint?.name === "PrimaryKeyConstraint") primaryKey = constraint.positional.map((v) => pyString(v) ?? "").filter((v) => v !== "");
      }
      return [{ kind: "createTable", table, columns, ...(primaryKey && !columns.some((c) => c.primaryKey) ? { primaryKey } : {}) }];
    }
    case "add_column": {
      const table = tableArg(0, "table_name");
      const read = column(argument(call, shift, "column"));
      return table && read ? [{ kind: "addColumn", table, column: read }] : undefined;
    }
    case "drop_column": {
      const table = tableArg(0, "table_name");
      const name = pyString(argument(call, shift, "column_name"));
      return table && name ? [{ kind: "dropColumn", table, column: name }] : undefined;
    }
    case "alter_column": {
      const table = tableArg(0, "table_name");
      const name = pyString(argument(call, shift, "column_name"));
      if (!table || !name) return undefined;
      const ops: OrmOperation[] = [];
      const typeGiven = call.keywords.get("type_");
      if (typeGiven) {
        const type = sqlType(typeGiven);
        if (!type) return undefined;
        const using = pyString(call.keywords.get("postgresql_using"));
        ops.push({ kind: "alterType", table, column: name, type, ...(using ? { using } : {}) });
      }
      const nullable = call.keywords.get("nullable");
      if (pyFalse(nullable)) ops.push({ kind: "setNotNull", table, column: name });
      if (pyTrue(nullable)) ops.push({ kind: "dropNotNull", table, column: name });
      const defaultGiven = call.keywords.get("server_default");
      if (defaultGiven) {
        const value = serverDefault(defaultGiven);
        if (defaultGiven.text.trim() === "None") ops.push({ kind: "dropDefault", table, column: name });
        else if (value !== undefined) ops.push({ kind: "setDefault", table, column: name, default: value });
      }
      const renamed = pyString(call.keywords.get("new_column_name"));
      if (renamed) ops.push({ kind: "renameColumn", table, from: name, to: renamed });
      return ops;
    }
    case "create_index": {
      const name = nameOf(argument(call, 0, "index_name"));
      const table = tableArg(1, "table_name");
      const read = indexColumns(argument(call, 1 + shift, "columns"));
      if (!table || !read) return undefined;
      const where = call.keywords.get("postgresql_where");
      const whereCall = pyCall(where);
      const condition = whereCall?.name === "text" ? pyString(whereCall.positional[0]) : pyString(where);
      if (where && condition === undefined) return undefined;
      const using = pyString(call.keywords.get("postgresql_using"));
      return [
        {
          kind: "createIndex",
          table,
          ...read,
          ...(name ? { name } : {}),
          unique: pyTrue(call.keywords.get("unique")),
          concurrently: pyTrue(call.keywords.get("postgresql_concurrently")),
          ...(condition ? { where: condition } : {}),
          ...(using ? { using } : {}),
        },
      ];
    }
    case "drop_index": {
      const name = nameOf(argument(call, 0, "index_name"));
      return name ? [{ kind: "dropIndex", name, concurrently: pyTrue(call.keywords.get("postgresql_concurrently")) }] : undefined;
    }
    case "create_foreign_key": {
      const name = nameOf(argument(call, 0, "constraint_name"));
      const table = tableArg(1, "source_table");
      const refTable = pyString(argument(call, 1 + shift, "referent_table"));
      const columns = pyNames(argument(call, 2 + shift, "local_cols"));
      const refColumns = pyNames(argument(call, 3 + shift, "remote_cols"));
      if (!table || !refTable || !columns || !refColumns) return undefined;
      const notValid = pyTrue(call.keywords.get("postgresql_not_valid"));
      return [{ kind: "addForeignKey", table, columns, refTable, refColumns, ...(name ? { name } : {}), ...(notValid ? { notValid } : {}) }];
    }
    case "create_unique_constraint": {
      const name = nameOf(argument(call, 0, "constraint_name"));
      const table = tableArg(1, "table_name");
      const columns = pyNames(argument(call, 1 + shift, "columns"));
      return table && columns ? [{ kind: "addUnique", table, columns, ...(name ? { name } : {}) }] : undefined;
    }
    case "create_check_constraint": {
      const name = nameOf(argument(call, 0, "constraint_name"));
      const table = tableArg(1, "table_name");
      const condition = argument(call, 1 + shift, "condition");
      const conditionCall = pyCall(condition);
      const expression = conditionCall?.name === "text" ? pyString(conditionCall.positional[0]) : pyString(condition);
      const notValid = pyTrue(call.keywords.get("postgresql_not_valid"));
      return table && expression ? [{ kind: "addCheck", table, expression, ...(name ? { name } : {}), ...(notValid ? { notValid } : {}) }] : undefined;
    }
    case "drop_constraint": {
      const name = nameOf(argument(call, 0, "constraint_name"));
      const table = tableArg(1, "table_name");
      return table && name ? [{ kind: "dropConstraint", table, name }] : undefined;
    }
    case "drop_table": {
      const table = pyString(argument(call, 0, "table_name"));
      return table ? [{ kind: "dropTable", table }] : undefined;
    }
    case "rename_table": {
      const [from, to] = [pyString(argument(call, 0, "old_table_name")), pyString(argument(call, 1, "new_table_name"))];
      return from && to ? [{ kind: "renameTable", from, to }] : undefined;
    }
    default:
      return undefined;
  }
}

interface Enclosing {
  /** Table of the innermost `with op.batch_alter_table("t") as <name>:`, by name. */
  batches: Map<string, string>;
  autocommit: boolean;
  /** In a branch for another dialect. */
  otherDialect: boolean;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

const FOR_POSTGRES = (condition: string): boolean => /postgres/i.test(condition) && !/!=|\bnot\b/.test(condition);
const FOR_OTHER = (condition: string): boolean =>
  (/sqlite|mysql|mssql|oracle/i.test(condition) && !/!=|\bnot\b/.test(condition)) || (/postgres/i.test(condition) && /!=|\bnot\b/.test(condition));

/**
 * What the blocks around the line at `offset` say (walking up through the lines indented less):
 * batch tables, autocommit, dialect branches. An `else:`/`elif` after an `if` for PostgreSQL is a
 * branch for the other dialects.
 */
function enclosing(text: string, masked: string, offset: number, from: number): Enclosing {
  const result: Enclosing = { batches: new Map(), autocommit: false, otherDialect: false };
  const lineStart = masked.lastIndexOf("\n", offset - 1) + 1;
  const firstEnd = masked.indexOf("\n", lineStart);
  let indent = indentOf(masked.slice(lineStart, firstEnd < 0 ? masked.length : firstEnd));
  let position = lineStart - 1;
  /** In a branch after the `if`: the earlier members of its chain are still to read. */
  let inChain = false;
  while (position > from && indent > 0) {
    const start = masked.lastIndexOf("\n", position - 1) + 1;
    const line = masked.slice(start, position);
    const original = text.slice(start, position).trim();
    position = start - 1;
    if (line.trim() === "") continue;
    const opener = line.trim();
    if (inChain && indentOf(line) === indent && /^(?:if|elif)\b/.test(opener)) {
      if (FOR_POSTGRES(original)) result.otherDialect = true;
      inChain = /^elif\b/.test(opener);
      continue;
    }
    if (indentOf(line) >= indent) continue;
    indent = indentOf(line);
    inChain = /^(?:else\s*:|elif\b)/.test(opener);
    if (/^(?:if|elif)\b/.test(opener) && FOR_OTHER(original)) result.otherDialect = true;
    if (/^with\b.*\bautocommit_block\s*\(/.test(opener)) result.autocommit = true;
    const batch = /^with\s+op\.batch_alter_table\s*\(\s*(["'][^"']+["'])[^)]*\)\s+as\s+([A-Za-z_]\w*)/.exec(original);
    if (batch && !result.batches.has(batch[2] ?? "")) result.batches.set(batch[2] ?? "", pyString(batch[1]) ?? "");
  }
  return result;
}

const CALL =
  /(?<![\w.])(op|[A-Za-z_]\w*)\.(create_table|add_column|drop_column|alter_column|create_index|drop_index|create_foreign_key|create_unique_constraint|create_check_constraint|drop_constraint|drop_table|rename_table|execute)\s*\(/g;

/** `op.execute("…")`, `op.execute(sa.text("…"))`: the SQL at the line of its text. */
function executeStatement(source: SourceText, call: PyCall): GeneratedStatement | undefined {
  let value = argument(call, 0, "sqltext");
  const inner = pyCall(value);
  if (inner?.name === "text") value = inner.positional[0];
  const sql = pyString(value);
  if (!value || sql === undefined) return undefined;
  return rawStatement(source.position(pyStringStart(value)).line, sql);
}

/** The statements of `upgrade()`, in call order, each marked when it runs outside the transaction. */
export function alembicUpStatements(source: SourceText, masked: string, up: CodeBlock): AlembicStatement[] {
  const out: AlembicStatement[] = [];
  const call = new RegExp(CALL.source, "g");
  call.lastIndex = up.bodyStart;
  for (let match = call.exec(masked); match && match.index < up.bodyEnd; match = call.exec(masked)) {
    const receiver = match[1] ?? "";
    const around = enclosing(source.text, masked, match.index, up.defStart);
    if (around.otherDialect) continue;
    const batchTable = receiver === "op" ? undefined : around.batches.get(receiver);
    if (receiver !== "op" && batchTable === undefined) continue;
    const read = pyCallAt(source.text, masked, match.index);
    if (!read) continue;
    const line = source.position(match.index).line;
    const outsideTransaction = around.autocommit;
    if (read.name === "execute") {
      const statement = receiver === "op" ? executeStatement(source, read) : undefined;
      if (statement) out.push({ ...statement, outsideTransaction });
    } else {
      const ops = operations(read, batchTable);
      if (ops) out.push(...statementsAt(line, ops).map((statement) => ({ ...statement, outsideTransaction })));
    }
    call.lastIndex = read.end;
  }
  return out;
}
