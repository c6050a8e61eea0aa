import type { SourceText } from "../../../sql/source-text.js";
import { type Argument, splitArguments } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";
import { insideTransactionCallback, type JsCall, type JsCode, jsBoolean, jsCalls, jsObject, jsString, jsStrings } from "./js-orm-values.js";
import { type OrmStatement, quoteName, spreadStatement, type StatementPart } from "./orm-call-sql-sections.js";
import { sequelizeDefault, sequelizeType } from "./js-orm-sequelize-types.js";

/**
 * The SQL that Sequelize's QueryInterface calls in an `up` issue on PostgreSQL, each at the line
 * of its call: createTable, addColumn, changeColumn, removeColumn, renameColumn, renameTable,
 * dropTable, addIndex, removeIndex, addConstraint, removeConstraint and raw
 * `sequelize.query("…")`. A call given `{ transaction }`, or made inside a
 * `sequelize.transaction(…)` callback, runs in a transaction; the rest do not (sequelize-cli and
 * umzug wrap nothing). A call whose arguments are not literals issues nothing here.
 */

const CALL =
  /\.\s*(createTable|addColumn|changeColumn|removeColumn|renameColumn|renameTable|dropTable|addIndex|removeIndex|addConstraint|removeConstraint|query)\s*/;

/** inflection's `underscore`, as Sequelize names indexes: `documentId` → `document_id`. */
function underscore(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, "$1_$2")
    .replace(/[^\w]+/g, "_")
    .toLowerCase();
}

const REFERENTIAL_ACTION = /^(?:CASCADE|RESTRICT|SET NULL|SET DEFAULT|NO ACTION)$/i;

function referentialActions(code: JsCode, options: Map<string, Argument>): string {
  let clauses = "";
  for (const [key, clause] of [
    ["onDelete", "ON DELETE"],
    ["onUpdate", "ON UPDATE"],
  ] as const) {
    const action = jsString(code, options.get(key))?.value;
    if (action && REFERENTIAL_ACTION.test(action)) clauses += ` ${clause} ${action.toUpperCase()}`;
  }
  return clauses;
}

/** `"column" type NOT NULL DEFAULT … REFERENCES …` from an attribute definition; undefined if not read. */
function columnDefinition(code: JsCode, table: string, column: string, definition: Argument): string | undefined {
  const enumName = `enum_${table}_${column}`;
  const options = jsObject(code, definition);
  if (!options) {
    const type = sequelizeType(code, definition, enumName);
    return type ? `${quoteName(column)} ${type}` : undefined;
  }
  let type = sequelizeType(code, options.get("type"), enumName);
  if (!type) return undefined;
  if (jsBoolean(options.get("autoIncrement"))) {
    if (type === "integer") type = "serial";
    else if (type === "bigint") type = "bigserial";
  }
  let sql = `${quoteName(column)} ${type}`;
  const primaryKey = jsBoolean(options.get("primaryKey")) === true;
  if (primaryKey) sql += " PRIMARY KEY";
  else if (jsBoolean(options.get("allowNull")) === false) sql += " NOT NULL";
  if (options.has("defaultValue")) {
    const value = sequelizeDefault(code, options.get("defaultValue"));
    if (value === undefined) return undefined;
    sql += ` DEFAULT ${value}`;
  }
  if (jsBoolean(options.get("unique")) === true) sql += " UNIQUE";
  const references = jsObject(code, options.get("references"));
  if (references) {
    const model = jsString(code, references.get("model"))?.value ?? jsString(code, jsObject(code, references.get("model"))?.get("tableName"))?.value;
    const key = references.has("key") ? jsString(code, references.get("key"))?.value : "id";
    if (!model || !key) return undefined;
    sql += ` REFERENCES ${quoteName(model)} (${quoteName(key)})${referentialActions(code, options)}`;
  }
  return sql;
}

type Translate = (call: JsCall, code: JsCode, line: (offset: number) => number) => Array<{ line: number; sql: string }>;

function createTable(call: JsCall, code: JsCode, line: (offset: number) => number): Array<{ line: number; sql: string }> {
  const table = jsString(code, call.args[0])?.value;
  const attributes = call.args[1];
  const columns = jsObject(code, attributes);
  if (!table || !attributes || !columns) return [];
  const parts: StatementPart[] = [];
  for (const [column, definition] of columns) {
    const sql = columnDefinition(code, table, column, definition);
    if (sql) parts.push({ line: line(definition.start), text: sql });
  }
  return [spreadStatement(line(call.at), `CREATE TABLE ${quoteName(table)}`, parts)];
}

function addIndex(call: JsCall, code: JsCode, line: (offset: number) => number): Array<{ line: number; sql: string }> {
  const table = jsString(code, call.args[0])?.value;
  const second = jsObject(code, call.args[1]);
  const options = second ?? jsObject(code, call.args[2]) ?? new Map<string, Argument>();
  const fieldsArgument = second ? second.get("fields") : call.args[1];
  const fields = fieldNames(code, fieldsArgument) ?? jsStrings(code, fieldsArgument);
  if (!table || !fields || fields.length === 0) return [];
  const name = options.has("name") ? jsString(code, options.get("name"))?.value : underscore(`${table}_${fields.join("_")}`);
  if (!name) return [];
  const unique = jsBoolean(options.get("unique")) === true || jsString(code, options.get("type"))?.value.toUpperCase() === "UNIQUE";
  const concurrently = jsBoolean(options.get("concurrently")) === true;
  const using = jsString(code, options.get("using"))?.value;
  const method = using && /^\w+$/.test(using) ? ` USING ${using}` : "";
  const columns = fields.map(quoteName).join(", ");
  return [
    {
      line: line(call.at),
      sql: `CREATE ${unique ? "UNIQUE " : ""}INDEX ${concurrently ? "CONCURRENTLY " : ""}${quoteName(name)} ON ${quoteName(table)}${method} (${columns})`,
    },
  ];
}

/** `[{ name: "a", order: "DESC" }, "b"]`: the field names; undefined when one is not read. */
function fieldNames(code: JsCode, argument: Argument | undefined): string[] | undefined {
  if (!argument?.masked.startsWith("[") || !argument.masked.endsWith("]")) return undefined;
  const names = splitArguments(code.masked, argument.start + 1, argument.end - 1).map(
    (item) => jsString(code, item)?.value ?? jsString(code, jsObject(code, item)?.get("name"))?.value,
  );
  return names.every((name): name is string => name !== undefined) ? names : undefined;
}

function addConstraint(call: JsCall, code: JsCode, line: (offset: number) => number): Array<{ line: number; sql: string }> {
  const table = jsString(code, call.args[0])?.value;
  const options = jsObject(code, call.args[1]);
  if (!table || !options) return [];
  const type = jsString(code, options.get("type"))?.value.toLowerCase();
  const fields = jsStrings(code, options.get("fields"));
  if (!fields || fields.length === 0) return [];
  const columns = fields.map(quoteName).join(", ");
  const given = options.has("name") ? jsString(code, options.get("name"))?.value : undefined;
  if (options.has("name") && !given) return [];
  const at = line(call.at);
  if (type === "unique") {
    const name = given ?? `${table}_${fields.join("_")}_uk`;
    return [{ line: at, sql: `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(name)} UNIQUE (${columns})` }];
  }
  if (type === "primary key") {
    const name = given ?? `${table}_${fields.join("_")}_pk`;
    return [{ line: at, sql: `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(name)} PRIMARY KEY (${columns})` }];
  }
  if (type !== "foreign key") return [];
  const references = jsObject(code, options.get("references"));
  const target = references ? jsString(code, references.get("table"))?.value : undefined;
  const field = references ? (references.has("field") ? jsString(code, references.get("field"))?.value : "id") : undefined;
  if (!target || !field) return [];
  const name = given ?? `${table}_${fields.join("_")}_${target}_fk`;
  return [
    {
      line: at,
      sql: `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(name)} FOREIGN KEY (${columns}) REFERENCES ${quoteName(target)} (${quoteName(field)})${referentialActions(code, options)}`,
    },
  ];
}

function changeColumn(call: JsCall, code: JsCode, line: (offset: number) => number): Array<{ line: number; sql: string }> {
  const table = jsString(code, call.args[0])?.value;
  const column = jsString(code, call.args[1])?.value;
  const definition = call.args[2];
  const options = jsObject(code, definition);
  if (!table || !column || !definition) return [];
  const type = sequelizeType(code, options ? options.get("type") : definition, `enum_${table}_${column}`);
  // An ENUM change makes Sequelize recreate the type first, and a column given `references` gets
  // a foreign key instead of a type change: neither is modelled.
  if (!type || type.startsWith('"enum_') || options?.has("references")) return [];
  const at = line(call.at);
  const target = `ALTER TABLE ${quoteName(table)} ALTER COLUMN ${quoteName(column)}`;
  const statements = [];
  // Sequelize's postgres dialect sets (or drops) NOT NULL first, then the default, a UNIQUE, the type.
  if (options && jsBoolean(options.get("allowNull")) === false) statements.push({ line: at, sql: `${target} SET NOT NULL` });
  else statements.push({ line: at, sql: `${target} DROP NOT NULL` });
  if (options?.has("defaultValue")) {
    const value = sequelizeDefault(code, options.get("defaultValue"));
    if (value !== undefined) statements.push({ line: at, sql: `${target} SET DEFAULT ${value}` });
  }
  if (options && jsBoolean(options.get("unique")) === true)
    statements.push({ line: at, sql: `ALTER TABLE ${quoteName(table)} ADD UNIQUE (${quoteName(column)})` });
  statements.push({ line: at, sql: `${target} TYPE ${type}` });
  return statements;
}

const TRANSLATE: Record<string, Translate> = {
  createTable,
  addIndex,
  addConstraint,
  changeColumn,
  addColumn(call, code, line) {
    const table = jsString(code, call.args[0])?.value;
    const column = jsString(code, call.args[1])?.value;
    const definition = table && column && call.args[2] ? columnDefinition(code, table, column, call.args[2]) : undefined;
    return table && definition ? [{ line: line(call.at), sql: `ALTER TABLE ${quoteName(table)} ADD COLUMN ${definition}` }] : [];
  },
  removeColumn(call, code, line) {
    const [table, column] = [jsString(code, call.args[0])?.value, jsString(code, call.args[1])?.value];
    return table && column ? [{ line: line(call.at), sql: `ALTER TABLE ${quoteName(table)} DROP COLUMN ${quoteName(column)}` }] : [];
  },
  renameColumn(call, code, line) {
    const [table, from, to] = [0, 1, 2].map((index) => jsString(code, call.args[index])?.value);
    return table && from && to ? [{ line: line(call.at), sql: `ALTER TABLE ${quoteName(table)} RENAME COLUMN ${quoteName(from)} TO ${quoteName(to)}` }] : [];
  },
  renameTable(call, code, line) {
    const [from, to] = [0, 1].map((index) => jsString(code, call.args[index])?.value);
    return from && to ? [{ line: line(call.at), sql: `ALTER TABLE ${quoteName(from)} RENAME TO ${quoteName(to)}` }] : [];
  },
  dropTable(call, code, line) {
    const table = jsString(code, call.args[0])?.value;
    return table ? [{ line: line(call.at), sql: `DROP TABLE ${quoteName(table)}` }] : [];
  },
  removeIndex(call, code, line) {
    const table = jsString(code, call.args[0])?.value;
    const named = jsString(code, call.args[1])?.value;
    const fields = named === undefined ? jsStrings(code, call.args[1]) : undefined;
    const name = named ?? (table && fields ? underscore(`${table}_${fields.join("_")}`) : undefined);
    const options = jsObject(code, call.args[2]);
    const concurrently = options && jsBoolean(options.get("concurrently")) === true ? "CONCURRENTLY " : "";
    return table && name ? [{ line: line(call.at), sql: `DROP INDEX ${concurrently}${quoteName(name)}` }] : [];
  },
  removeConstraint(call, code, line) {
    const [table, name] = [0, 1].map((index) => jsString(code, call.args[index])?.value);
    return table && name ? [{ line: line(call.at), sql: `ALTER TABLE ${quoteName(table)} DROP CONSTRAINT ${quoteName(name)}` }] : [];
  },
  query(call, code, line) {
    if (!/\bsequelize\s*\.\s*query\s*$/.test(code.masked.slice(Math.max(0, call.at - 30), call.open))) return [];
    const sql = jsString(code, call.args[0]);
    // `:name` and `?` replacements are Sequelize's, not SQL: such a query is not read.
    const options = jsObject(code, call.args[1]);
    if (!sql || (call.args[1] && !options) || options?.has("replacements")) return [];
    const lead = sql.value.length - sql.value.trimStart().length;
    return [{ line: line(sql.start + lead), sql: sql.value.trim() }];
  },
};

/** Whether the call's last argument is an options object with a `transaction`. */
function passesTransaction(code: JsCode, call: JsCall): boolean {
  const last = call.args[call.args.length - 1];
  return call.args.length > 1 && (jsObject(code, last)?.has("transaction") ?? false);
}

export function sequelizeUpStatements(source: SourceText, masked: string, up: CodeBlock | undefined): OrmStatement[] {
  if (!up) return [];
  const code = { text: source.text, masked };
  const line = (offset: number): number => source.position(offset).line;
  return jsCalls(masked, CALL, up.bodyStart, up.bodyEnd).flatMap((call) => {
    const inTransaction = passesTransaction(code, call) || insideTransactionCallback(masked, call.at, up.bodyStart, up.bodyEnd);
    return (TRANSLATE[call.name]?.(call, code, line) ?? []).map((statement) => ({ ...statement, inTransaction }));
  });
}
