import type { SourceText } from "../../../sql/source-text.js";
import type { Argument } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";
import { atStatementLevel, callbackOf, type ChainLink, readChain, receiverStart } from "./js-orm-chains.js";
import { type JsCode, jsBoolean, jsCalls, jsNumber, jsObject, jsString, jsStrings } from "./js-orm-values.js";
import { type OrmStatement, quoteName, spreadStatement, sqlString, type StatementPart } from "./orm-call-sql-sections.js";

/**
 * The SQL that Knex schema calls in an `up` issue on PostgreSQL (its `pg` client), each at the
 * line of its call: `createTable`, `alterTable`/`table` with their column builders and table
 * methods, `dropTable`, `renameTable`, and raw SQL (`knex.raw`, `knex.schema.raw`). What is not a
 * literal, or a builder method not known here, issues nothing: a missing statement is a missed
 * finding, a wrong one would be a false alarm.
 */

type Line = (offset: number) => number;
type Statement = { line: number; sql: string };

const SCHEMA_CALL = /\.\s*(createTable|createTableIfNotExists|alterTable|table|dropTable|dropTableIfExists|renameTable|raw)\s*/;

/** Column types by builder method, for the ones that take no size. */
const PLAIN_TYPES: Record<string, string> = {
  integer: "integer",
  bigInteger: "bigint",
  bigint: "bigint",
  tinyint: "smallint",
  smallint: "smallint",
  mediumint: "integer",
  text: "text",
  boolean: "boolean",
  date: "date",
  time: "time",
  uuid: "uuid",
  json: "json",
  jsonb: "jsonb",
  binary: "bytea",
  float: "real",
  double: "double precision",
};

/** knex's index names: `users_team_id_index`, `users_email_unique`, `users_team_id_foreign`. */
function knexName(table: string, columns: readonly string[], suffix: string): string {
  return `${table}_${columns.join("_")}_${suffix}`.toLowerCase().replace(/[-.]/g, "_");
}

interface Column {
  name: string;
  /** SQL type; undefined when the builder is not read. */
  type: string | undefined;
  primaryKey: boolean;
  notNull: boolean;
  nullable: boolean;
  /** DEFAULT expression; null when `defaultTo` is there but not read. */
  defaultValue: string | null | undefined;
  unique: boolean;
  index: boolean;
  references: { table: string; column: string; actions: string } | undefined;
  alter: { type: boolean; nullable: boolean } | undefined;
  line: number;
}

function defaultOf(code: JsCode, argument: Argument | undefined): string | null {
  if (!argument) return null;
  if (/^(?:true|false|null)$/.test(argument.masked) || jsNumber(argument) !== undefined) return argument.masked;
  const literal = jsString(code, argument);
  if (literal) return sqlString(literal.value);
  if (/^[\w$]+\s*\.\s*fn\s*\.\s*now\s*\(\s*\)$/.test(argument.masked)) return "CURRENT_TIMESTAMP";
  const raw = /^[\w$]+\s*\.\s*raw\s*\(/.exec(argument.masked);
  if (raw) {
    const open = argument.start + raw[0].length;
    const inner = code.masked.slice(open, argument.end - 1);
    const lead = inner.length - inner.trimStart().length;
    return jsString(code, { start: open + lead, end: open + lead + inner.trim().length, masked: inner.trim() })?.value ?? null;
  }
  return null;
}

function typeOf(code: JsCode, head: ChainLink, name: string): string | undefined {
  const args = head.args;
  if (head.name in PLAIN_TYPES) return PLAIN_TYPES[head.name];
  switch (head.name) {
    case "increments":
      return "serial";
    case "bigIncrements":
      return "bigserial";
    case "string": {
      const length = args[1] ? jsNumber(args[1]) : "255";
      return length ? `varchar(${length})` : undefined;
    }
    case "decimal": {
      const precision = args[1] ? jsNumber(args[1]) : "8";
      const scale = args[2] ? jsNumber(args[2]) : "2";
      if (args[1]?.masked === "null") return "decimal";
      return precision && scale ? `decimal(${precision}, ${scale})` : undefined;
    }
    case "timestamp":
    case "datetime": {
      const options = jsObject(code, args[1]);
      const withoutTz = jsBoolean(args[1]) === true || (options && jsBoolean(options.get("useTz")) === false);
      if (args[1] && jsBoolean(args[1]) === undefined && !options) return undefined;
      return withoutTz ? "timestamp" : "timestamptz";
    }
    case "specificType": {
      const type = jsString(code, args[1])?.value;
      return type && /^[\w\s(),[\]."]+$/.test(type) ? type : undefined;
    }
    case "enu":
    case "enum": {
      const values = jsStrings(code, args[1]);
      const options = jsObject(code, args[2]);
      if (options && jsBoolean(options.get("useNative")) === true) {
        const enumName = jsString(code, options.get("enumName"))?.value;
        return enumName ? quoteName(enumName) : undefined;
      }
      if (args[2] && !options) return undefined;
      return values ? `text CHECK (${quoteName(name)} IN (${values.map(sqlString).join(", ")}))` : undefined;
    }
    default:
      return undefined;
  }
}

function referencesOf(code: JsCode, links: readonly ChainLink[]): Column["references"] {
  const references = links.find((link) => link.name === "references");
  if (!references) return undefined;
  const target = jsString(code, references.args[0])?.value;
  const inTable = jsString(code, links.find((link) => link.name === "inTable")?.args[0])?.value;
  if (!target) return undefined;
  const [table, column] = inTable
    ? [inTable, target]
    : target.includes(".")
      ? [target.slice(0, target.lastIndexOf(".")), target.slice(target.lastIndexOf(".") + 1)]
      : [];
  if (!table || !column) return undefined;
  let actions = "";
  for (const [method, clause] of [
    ["onDelete", "ON DELETE"],
    ["onUpdate", "ON UPDATE"],
  ] as const) {
    const action = jsString(code, links.find((link) => link.name === method)?.args[0])?.value;
    if (action && /^(?:CASCADE|RESTRICT|SET NULL|SET DEFAULT|NO ACTION)$/i.test(action)) actions += ` ${clause} ${action.toUpperCase()}`;
  }
  return { table, column, actions };
}

function readColumn(code: JsCode, links: readonly ChainLink[], line: number): Column | undefined {
  const head = links[0];
  const name = jsString(code, head?.args[0])?.value;
  if (!head || !name) return undefined;
  const has = (method: string): ChainLink | undefined => links.find((link) => link.name === method);
  const alter = has("alter");
  const alterOptions = jsObject(code, alter?.args[0]);
  const defaultTo = has("defaultTo");
  const primaryKey = head.name === "increments" || head.name === "bigIncrements" || has("primary") !== undefined;
  return {
    name,
    type: typeOf(code, head, name),
    primaryKey,
    notNull: has("notNullable") !== undefined,
    nullable: has("nullable") !== undefined,
    defaultValue: defaultTo ? defaultOf(code, defaultTo.args[0]) : undefined,
    unique: has("unique") !== undefined,
    index: has("index") !== undefined,
    references: referencesOf(code, links),
    alter: alter
      ? {
          type: alterOptions ? jsBoolean(alterOptions.get("alterType")) !== false : true,
          nullable: alterOptions ? jsBoolean(alterOptions.get("alterNullable")) !== false : true,
        }
      : undefined,
    line,
  };
}

function definition(column: Column): string | undefined {
  if (!column.type || column.defaultValue === null) return undefined;
  let sql = `${quoteName(column.name)} ${column.type}`;
  if (column.primaryKey) sql += " PRIMARY KEY";
  else if (column.notNull) sql += " NOT NULL";
  if (column.defaultValue !== undefined) sql += ` DEFAULT ${column.defaultValue}`;
  return sql;
}

/** The index, unique constraint and foreign key knex adds after a column, as separate statements. */
function columnExtras(table: string, column: Column): Statement[] {
  const statements: Statement[] = [];
  const target = quoteName(table);
  const name = quoteName(column.name);
  if (column.unique)
    statements.push({ line: column.line, sql: `ALTER TABLE ${target} ADD CONSTRAINT ${quoteName(knexName(table, [column.name], "unique"))} UNIQUE (${name})` });
  if (column.index) statements.push({ line: column.line, sql: `CREATE INDEX ${quoteName(knexName(table, [column.name], "index"))} ON ${target} (${name})` });
  const references = column.references;
  if (references) {
    statements.push({
      line: column.line,
      sql: `ALTER TABLE ${target} ADD CONSTRAINT ${quoteName(knexName(table, [column.name], "foreign"))} FOREIGN KEY (${name}) REFERENCES ${quoteName(references.table)} (${quoteName(references.column)})${references.actions}`,
    });
  }
  return statements;
}

/** `.alter()`: knex drops NOT NULL and the default, changes the type with a cast, then sets what the builder says. */
function alterColumn(table: string, column: Column): Statement[] {
  if (!column.alter || !column.type || column.defaultValue === null) return [];
  const target = `ALTER TABLE ${quoteName(table)} ALTER COLUMN ${quoteName(column.name)}`;
  const statements: Statement[] = [];
  const at = (sql: string): void => void statements.push({ line: column.line, sql: `${target} ${sql}` });
  if (column.alter.nullable && !column.notNull) at("DROP NOT NULL");
  if (column.alter.type) at(`TYPE ${column.type} USING (${quoteName(column.name)}::${column.type})`);
  if (column.defaultValue !== undefined) at(`SET DEFAULT ${column.defaultValue}`);
  if (column.alter.nullable && column.notNull) at("SET NOT NULL");
  return statements;
}

const TABLE_METHODS = new Set([
  "index",
  "unique",
  "foreign",
  "primary",
  "dropColumn",
  "dropColumns",
  "renameColumn",
  "dropIndex",
  "dropUnique",
  "dropForeign",
  "dropPrimary",
  "dropTimestamps",
  "timestamps",
  "setNullable",
  "dropNullable",
]);

/** Table methods (`t.index([...])`, `t.dropColumn("x")`, `t.foreign("x").references(…)`, …). */
function tableMethod(
  code: JsCode,
  table: string,
  links: readonly ChainLink[],
  line: number,
  created: boolean,
): { statements: Statement[]; columns: StatementPart[] } {
  const head = links[0];
  const target = `ALTER TABLE ${quoteName(table)}`;
  const none = { statements: [], columns: [] };
  if (!head) return none;
  const strings = (index: number): string[] | undefined => jsStrings(code, head.args[index]);
  const nameAt = (index: number, fallback: string): string | undefined => {
    const argument = head.args[index];
    if (!argument) return fallback;
    return jsString(code, argument)?.value ?? jsString(code, jsObject(code, argument)?.get("indexName"))?.value;
  };
  const one = (sql: string): { statements: Statement[]; columns: StatementPart[] } => ({ statements: [{ line, sql }], columns: [] });
  const columns = strings(0);
  switch (head.name) {
    case "index": {
      const name = columns && nameAt(1, knexName(table, columns, "index"));
      return columns && name ? one(`CREATE INDEX ${quoteName(name)} ON ${quoteName(table)} (${columns.map(quoteName).join(", ")})`) : none;
    }
    case "unique": {
      const name = columns && nameAt(1, knexName(table, columns, "unique"));
      return columns && name ? one(`${target} ADD CONSTRAINT ${quoteName(name)} UNIQUE (${columns.map(quoteName).join(", ")})`) : none;
    }
    case "primary": {
      const name = columns && nameAt(1, `${table}_pkey`);
      return columns && name ? one(`${target} ADD CONSTRAINT ${quoteName(name)} PRIMARY KEY (${columns.map(quoteName).join(", ")})`) : none;
    }
    case "foreign": {
      const references = referencesOf(code, links);
      const name = columns && nameAt(1, knexName(table, columns, "foreign"));
      if (!columns || !name || !references) return none;
      return one(
        `${target} ADD CONSTRAINT ${quoteName(name)} FOREIGN KEY (${columns.map(quoteName).join(", ")}) REFERENCES ${quoteName(references.table)} (${quoteName(references.column)})${references.actions}`,
      );
    }
    case "dropColumn":
    case "dropColumns": {
      const names = head.args.map((argument) => jsString(code, argument)?.value);
      if (names.length === 0 || !names.every((name): name is string => name !== undefined)) return none;
      return { statements: names.map((name) => ({ line, sql: `${target} DROP COLUMN ${quoteName(name)}` })), columns: [] };
    }
    case "renameColumn": {
      const [from, to] = [0, 1].map((index) => jsString(code, head.args[index])?.value);
      return from && to ? one(`${target} RENAME COLUMN ${quoteName(from)} TO ${quoteName(to)}`) : none;
    }
    case "dropIndex": {
      const name = nameAt(1, columns ? knexName(table, columns, "index") : "");
      return name ? one(`DROP INDEX ${quoteName(name)}`) : none;
    }
    case "dropUnique":
    case "dropForeign":
    case "dropPrimary": {
      const suffix = head.name === "dropUnique" ? "unique" : "foreign";
      const fallback = head.name === "dropPrimary" ? `${table}_pkey` : columns ? knexName(table, columns, suffix) : "";
      const name = nameAt(head.name === "dropPrimary" ? 0 : 1, fallback);
      return name ? one(`${target} DROP CONSTRAINT ${quoteName(name)}`) : none;
    }
    case "setNullable":
    case "dropNullable": {
      const column = jsString(code, head.args[0])?.value;
      return column ? one(`${target} ALTER COLUMN ${quoteName(column)} ${head.name === "setNullable" ? "DROP" : "SET"} NOT NULL`) : none;
    }
    case "dropTimestamps":
      return { statements: ["created_at", "updated_at"].map((name) => ({ line, sql: `${target} DROP COLUMN ${quoteName(name)}` })), columns: [] };
    case "timestamps": {
      if (head.args.some((argument) => jsBoolean(argument) === undefined)) return none;
      const type = jsBoolean(head.args[0]) === true ? "timestamp" : "timestamptz";
      const extra = jsBoolean(head.args[1]) === true ? " NOT NULL DEFAULT CURRENT_TIMESTAMP" : "";
      const parts = ["created_at", "updated_at"].map((name) => ({ line, text: `${quoteName(name)} ${type}${extra}` }));
      if (created) return { statements: [], columns: parts };
      return { statements: parts.map((part) => ({ line, sql: `${target} ADD COLUMN ${part.text}` })), columns: [] };
    }
    default:
      return none;
  }
}

function tableBody(code: JsCode, line: Line, call: { at: number; table: string; callback: Argument | undefined; created: boolean }): Statement[] {
  const callback = callbackOf(code.masked, call.callback);
  const parts: StatementPart[] = [];
  const after: Statement[] = [];
  if (callback) {
    const builder = new RegExp(`(?<![\\w$.])${callback.parameter.replace(/\$/g, "\\$")}\\s*(?=\\.)`, "g");
    builder.lastIndex = callback.start;
    for (let match = builder.exec(code.masked); match && match.index < callback.end; match = builder.exec(code.masked)) {
      const { links, end } = readChain(code.masked, match.index + match[0].length);
      builder.lastIndex = Math.max(end, builder.lastIndex);
      const head = links[0];
      if (!head) continue;
      const at = line(head.at);
      if (TABLE_METHODS.has(head.name)) {
        const { statements, columns } = tableMethod(code, call.table, links, at, call.created);
        parts.push(...columns);
        after.push(...statements);
        continue;
      }
      const column = readColumn(code, links, at);
      if (!column?.type) continue;
      if (column.alter) {
        if (!call.created) after.push(...alterColumn(call.table, column));
        continue;
      }
      const sql = definition(column);
      if (!sql) continue;
      if (call.created) parts.push({ line: at, text: sql });
      else after.push({ line: at, sql: `ALTER TABLE ${quoteName(call.table)} ADD COLUMN ${sql}` });
      after.push(...columnExtras(call.table, column));
    }
  }
  if (!call.created) return after;
  return [spreadStatement(line(call.at), `CREATE TABLE ${quoteName(call.table)}`, parts), ...after];
}

function schemaCall(code: JsCode, line: Line, name: string, at: number, args: readonly Argument[]): Statement[] {
  const first = jsString(code, args[0]);
  if (name === "raw") {
    if (!first) return [];
    const lead = first.value.length - first.value.trimStart().length;
    return [{ line: line(first.start + lead), sql: first.value.trim() }];
  }
  const table = first?.value;
  if (!table) return [];
  switch (name) {
    case "createTable":
    case "createTableIfNotExists":
      return tableBody(code, line, { at, table, callback: args[1], created: true });
    case "alterTable":
    case "table":
      return tableBody(code, line, { at, table, callback: args[1], created: false });
    case "dropTable":
      return [{ line: line(at), sql: `DROP TABLE ${quoteName(table)}` }];
    case "dropTableIfExists":
      return [{ line: line(at), sql: `DROP TABLE IF EXISTS ${quoteName(table)}` }];
    case "renameTable": {
      const to = jsString(code, args[1])?.value;
      return to ? [{ line: line(at), sql: `ALTER TABLE ${quoteName(table)} RENAME TO ${quoteName(to)}` }] : [];
    }
    default:
      return [];
  }
}

/** Whether the call at `dot` is on the schema builder (`knex.schema.x`, a chain of schema calls) or, for raw, on knex or a transaction. */
function isSchemaReceiver(masked: string, dot: number, name: string): boolean {
  const before = masked.slice(Math.max(0, dot - 80), dot).trimEnd();
  if (/\bschema$/.test(before)) return true;
  if (name === "raw") return /(?<![.\w$])[\w$]+$/.test(before);
  return name !== "table" && before.endsWith(")") && /\bschema\b/.test(masked.slice(receiverStart(masked, dot), dot));
}

export function knexUpStatements(source: SourceText, masked: string, up: CodeBlock | undefined, inTransaction: boolean): OrmStatement[] {
  if (!up) return [];
  const code = { text: source.text, masked };
  const line = (offset: number): number => source.position(offset).line;
  const statements: OrmStatement[] = [];
  let taken = -1;
  for (const call of jsCalls(masked, SCHEMA_CALL, up.bodyStart, up.bodyEnd)) {
    // A call inside one already translated (`defaultTo(knex.raw("now()"))`) is part of it.
    if (call.at < taken || !isSchemaReceiver(masked, call.at, call.name)) continue;
    if (call.name === "raw" && !atStatementLevel(masked, receiverStart(masked, call.at))) continue;
    taken = call.close;
    for (const statement of schemaCall(code, line, call.name, call.at, call.args)) statements.push({ ...statement, inTransaction });
  }
  return statements;
}
