import type { SourceText } from "../../../sql/source-text.js";
import { type Argument, splitArguments } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";
import { type JsCall, type JsCode, jsBoolean, jsCalls, jsNumber, jsObject, jsString, jsStrings } from "./js-orm-values.js";
import { type OrmStatement, quoteName, spreadStatement, type StatementPart } from "./orm-call-sql-sections.js";

/**
 * The SQL of a TypeORM migration's `up`: mostly `queryRunner.query("…")` (what `migration:generate`
 * writes), parsed at the string's lines, plus the simple QueryRunner API calls with literal
 * arguments: createTable, addColumn, dropColumn, renameColumn, createIndex, dropIndex,
 * createForeignKey, dropTable.
 */

type Line = (offset: number) => number;
type Statement = { line: number; sql: string };

const CALL = /\.\s*(query|createTable|addColumn|dropColumn|renameColumn|createIndex|dropIndex|createForeignKey|dropTable)\s*/;

/** The object literal given to `new TableColumn({ … })` (or the literal itself). */
function constructed(code: JsCode, argument: Argument | undefined, className: string): Map<string, Argument> | undefined {
  if (!argument) return undefined;
  const match = new RegExp(`^new\\s+${className}\\s*\\(`).exec(argument.masked);
  if (!match) return jsObject(code, argument);
  const inner = splitArguments(code.masked, argument.start + match[0].length, argument.end - 1);
  return inner.length === 1 ? jsObject(code, inner[0]) : undefined;
}

/** A TableColumn's definition: its type (with `length`), NOT NULL unless `isNullable`, `default` as SQL. */
function columnDefinition(code: JsCode, options: Map<string, Argument>): string | undefined {
  const name = jsString(code, options.get("name"))?.value;
  let type = jsString(code, options.get("type"))?.value;
  if (!name || !type || !/^[\w\s]+$/.test(type)) return undefined;
  const length = options.has("length") ? (jsString(code, options.get("length"))?.value ?? jsNumber(options.get("length"))) : undefined;
  if (options.has("length") && !length) return undefined;
  if (length) type = `${type}(${length})`;
  if (jsBoolean(options.get("isArray")) === true) type = `${type}[]`;
  const generated = options.has("isGenerated") ? jsBoolean(options.get("isGenerated")) : false;
  if (generated === undefined) return undefined;
  if (generated) {
    const strategy = jsString(code, options.get("generationStrategy"))?.value;
    if (strategy === "increment") type = type === "bigint" ? "bigserial" : "serial";
    else if (strategy !== "uuid") return undefined;
  }
  let sql = `${quoteName(name)} ${type}`;
  if (jsBoolean(options.get("isPrimary")) === true) sql += " PRIMARY KEY";
  // TableColumn's isNullable is false unless set.
  else if (jsBoolean(options.get("isNullable")) !== true) sql += " NOT NULL";
  if (generated && type === "uuid") sql += " DEFAULT uuid_generate_v4()";
  if (options.has("default")) {
    const given = options.get("default");
    const value = jsString(code, given)?.value ?? jsNumber(given) ?? (jsBoolean(given) === undefined ? undefined : given?.masked);
    if (value === undefined) return undefined;
    sql += ` DEFAULT ${value}`;
  }
  if (jsBoolean(options.get("isUnique")) === true) sql += " UNIQUE";
  return sql;
}

function translate(call: JsCall, code: JsCode, line: Line): Statement[] {
  const at = line(call.at);
  const table = jsString(code, call.args[0])?.value;
  switch (call.name) {
    case "query": {
      const sql = jsString(code, call.args[0]);
      if (!sql) return [];
      const lead = sql.value.length - sql.value.trimStart().length;
      return [{ line: line(sql.start + lead), sql: sql.value.trim() }];
    }
    case "createTable": {
      const options = constructed(code, call.args[0], "Table");
      const name = options ? jsString(code, options.get("name"))?.value : undefined;
      const columns = options?.get("columns");
      if (!options || !name || !columns?.masked.startsWith("[")) return [];
      const parts: StatementPart[] = [];
      for (const item of splitArguments(code.masked, columns.start + 1, columns.end - 1)) {
        const column = constructed(code, item, "TableColumn");
        const sql = column ? columnDefinition(code, column) : undefined;
        if (sql) parts.push({ line: line(item.start), text: sql });
      }
      return [spreadStatement(at, `CREATE TABLE ${quoteName(name)}`, parts)];
    }
    case "addColumn": {
      const column = constructed(code, call.args[1], "TableColumn");
      const sql = column ? columnDefinition(code, column) : undefined;
      return table && sql ? [{ line: at, sql: `ALTER TABLE ${quoteName(table)} ADD COLUMN ${sql}` }] : [];
    }
    case "dropColumn": {
      const column = jsString(code, call.args[1])?.value;
      return table && column ? [{ line: at, sql: `ALTER TABLE ${quoteName(table)} DROP COLUMN ${quoteName(column)}` }] : [];
    }
    case "renameColumn": {
      const [from, to] = [1, 2].map((index) => jsString(code, call.args[index])?.value);
      return table && from && to ? [{ line: at, sql: `ALTER TABLE ${quoteName(table)} RENAME COLUMN ${quoteName(from)} TO ${quoteName(to)}` }] : [];
    }
    case "createIndex": {
      const index = constructed(code, call.args[1], "TableIndex");
      const columns = index ? jsStrings(code, index.get("columnNames")) : undefined;
      if (!table || !index || !columns) return [];
      const name = index.has("name") ? jsString(code, index.get("name"))?.value : `IDX_${table}_${columns.join("_")}`;
      if (!name) return [];
      const unique = jsBoolean(index.get("isUnique")) === true ? "UNIQUE " : "";
      return [{ line: at, sql: `CREATE ${unique}INDEX ${quoteName(name)} ON ${quoteName(table)} (${columns.map(quoteName).join(", ")})` }];
    }
    case "dropIndex": {
      const name = jsString(code, call.args[1])?.value;
      return table && name ? [{ line: at, sql: `DROP INDEX ${quoteName(name)}` }] : [];
    }
    case "createForeignKey": {
      const key = constructed(code, call.args[1], "TableForeignKey");
      const columns = key ? jsStrings(code, key.get("columnNames")) : undefined;
      const target = key ? jsString(code, key.get("referencedTableName"))?.value : undefined;
      const referenced = key ? jsStrings(code, key.get("referencedColumnNames")) : undefined;
      if (!table || !key || !columns || !target || !referenced) return [];
      const name = key.has("name") ? jsString(code, key.get("name"))?.value : `FK_${table}_${columns.join("_")}`;
      const onDelete = jsString(code, key.get("onDelete"))?.value;
      const action = onDelete && /^(?:CASCADE|RESTRICT|SET NULL|SET DEFAULT|NO ACTION)$/i.test(onDelete) ? ` ON DELETE ${onDelete.toUpperCase()}` : "";
      if (!name) return [];
      return [
        {
          line: at,
          sql: `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(name)} FOREIGN KEY (${columns.map(quoteName).join(", ")}) REFERENCES ${quoteName(target)} (${referenced.map(quoteName).join(", ")})${action}`,
        },
      ];
    }
    case "dropTable":
      return table ? [{ line: at, sql: `DROP TABLE ${quoteName(table)}` }] : [];
    default:
      return [];
  }
}

export function typeormUpStatements(source: SourceText, masked: string, up: CodeBlock | undefined, inTransaction: boolean): OrmStatement[] {
  if (!up) return [];
  const code = { text: source.text, masked };
  const line = (offset: number): number => source.position(offset).line;
  return jsCalls(masked, CALL, up.bodyStart, up.bodyEnd).flatMap((call) => translate(call, code, line).map((statement) => ({ ...statement, inTransaction })));
}
