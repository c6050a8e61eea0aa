import type { ChangeNode } from "./tree.js";

/**
 * The PostgreSQL spelling of what a Liquibase change names: identifiers, column types (Liquibase
 * maps its portable names to each database's), and default values (`defaultValue` is a string,
 * `defaultValueNumeric` a number, `defaultValueComputed` SQL as written, …).
 */

// Words Postgres refuses as a bare column or table name (the reserved key words of its grammar).
const RESERVED = new Set(
  (
    "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog current_date " +
    "current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign from " +
    "grant group having in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing " +
    "primary references returning select session_user some symmetric system_user table then to trailing true union unique user using variadic " +
    "when where window with"
  ).split(" "),
);

/** A name as Postgres reads it: bare when it is a plain lower-case word, double-quoted otherwise. */
export function identifier(name: string): string {
  const trimmed = name.trim();
  if (/^[a-z_][a-z0-9_$]*$/.test(trimmed) && !RESERVED.has(trimmed)) return trimmed;
  return `"${trimmed.replace(/"/g, '""')}"`;
}

/** `schema.table` when the change names a schema (`schemaName`). */
export function qualifiedTable(node: ChangeNode, attribute = "tableName", schemaAttribute = "schemaName"): string {
  const table = identifier(node.attributes.get(attribute) ?? "");
  const schema = node.attributes.get(schemaAttribute);
  return schema ? `${identifier(schema)}.${table}` : table;
}

/** `a, b` from Liquibase's comma-separated `columnNames="a, b"`. */
export function columnList(names: string | undefined): string {
  return (names ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "")
    .map(identifier)
    .join(", ");
}

/** Liquibase's portable type names and what its PostgreSQL dialect writes for them. */
const TYPE_NAMES: Record<string, string> = {
  bigint: "BIGINT",
  int8: "BIGINT",
  long: "BIGINT",
  int: "INTEGER",
  integer: "INTEGER",
  int4: "INTEGER",
  mediumint: "INTEGER",
  smallint: "SMALLINT",
  int2: "SMALLINT",
  tinyint: "SMALLINT",
  boolean: "BOOLEAN",
  bool: "BOOLEAN",
  bit: "BOOLEAN",
  varchar: "VARCHAR",
  varchar2: "VARCHAR",
  nvarchar: "VARCHAR",
  "character varying": "VARCHAR",
  char: "CHAR",
  nchar: "CHAR",
  character: "CHAR",
  text: "TEXT",
  clob: "TEXT",
  nclob: "TEXT",
  longtext: "TEXT",
  mediumtext: "TEXT",
  longvarchar: "TEXT",
  blob: "BYTEA",
  longblob: "BYTEA",
  binary: "BYTEA",
  varbinary: "BYTEA",
  longvarbinary: "BYTEA",
  image: "BYTEA",
  bytea: "BYTEA",
  // Liquibase's datetime is a timestamp without time zone on PostgreSQL.
  datetime: "TIMESTAMP",
  timestamp: "TIMESTAMP",
  "timestamp without time zone": "TIMESTAMP",
  "timestamp with time zone": "TIMESTAMPTZ",
  timestamptz: "TIMESTAMPTZ",
  date: "DATE",
  time: "TIME",
  decimal: "DECIMAL",
  numeric: "NUMERIC",
  number: "NUMERIC",
  currency: "DECIMAL",
  double: "DOUBLE PRECISION",
  "double precision": "DOUBLE PRECISION",
  float: "FLOAT",
  float8: "DOUBLE PRECISION",
  float4: "REAL",
  real: "REAL",
  uuid: "UUID",
  json: "JSON",
  jsonb: "JSONB",
  xml: "XML",
};

/**
 * A column type in PostgreSQL terms: Liquibase's portable names mapped (`datetime` → TIMESTAMP,
 * `clob` → TEXT, `java.sql.Types.VARCHAR(255)` → VARCHAR(255)), others as written. A `${property}`
 * left unresolved becomes a quoted type name, so the statement still parses and no rule reads a
 * type into it.
 */
export function columnType(written: string): string {
  const type = written.trim().replace(/^java\.sql\.Types\./i, "");
  if (/\$\{/.test(type)) return `"${type.replace(/"/g, '""')}"`;
  const match = /^([a-z][a-z0-9 ]*?)\s*(\(.*\))?(\[\])?$/i.exec(type);
  if (!match) return type;
  const [, name = "", size = "", array = ""] = match;
  const mapped = TYPE_NAMES[name.toLowerCase()];
  if (!mapped) return type;
  // Liquibase drops a size on types Postgres does not size (text, bytea, booleans, integers).
  const sized = /^(VARCHAR|CHAR|DECIMAL|NUMERIC|TIMESTAMP|TIMESTAMPTZ|TIME|FLOAT)$/.test(mapped) ? size : "";
  return `${mapped}${sized}${array}`;
}

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** A computed value Liquibase passes through: a function call or a bare SQL keyword such as CURRENT_TIMESTAMP. */
function isComputed(value: string): boolean {
  return /^[a-z_][a-z0-9_.]*\s*\(.*\)$/is.test(value) || /^(current_timestamp|current_date|current_time|localtimestamp|now)$/i.test(value);
}

/**
 * The SQL of the value given by `<prefix>`, `<prefix>Numeric`, `<prefix>Boolean`, `<prefix>Date`,
 * `<prefix>Computed` or `<prefix>SequenceNext` (prefix `defaultValue` for defaults); undefined when none is set.
 */
export function valueSql(node: ChangeNode, prefix: string): string | undefined {
  const attributes = node.attributes;
  const computed = attributes.get(`${prefix}Computed`);
  if (computed !== undefined) return computed;
  const numeric = attributes.get(`${prefix}Numeric`);
  if (numeric !== undefined) return numeric;
  const booleanValue = attributes.get(`${prefix}Boolean`);
  if (booleanValue !== undefined) return booleanValue.trim().toLowerCase() === "true" ? "TRUE" : "FALSE";
  const date = attributes.get(`${prefix}Date`);
  if (date !== undefined) return isComputed(date.trim()) ? date.trim() : quote(date);
  const sequence = attributes.get(`${prefix}SequenceNext`);
  if (sequence !== undefined) return `nextval(${quote(sequence)})`;
  const plain = attributes.get(prefix);
  return plain === undefined ? undefined : quote(plain);
}
