/**
 * The SQL a Rails (ActiveRecord, PostgreSQL adapter) migration's `change` or `up` issues, read
 * call by call: create_table / change_table blocks, add_column, add_reference, change_column,
 * change_column_null, add_index, remove_index, add_foreign_key, add_check_constraint, validate_*,
 * remove_column, rename_column, rename_table, drop_table, and `execute` (raw SQL, heredocs
 * included). Each statement sits at the line of its call. A call whose arguments are not plain
 * literals issues nothing.
 */

import type { SourceText } from "../../../sql/source-text.js";
import type { GeneratedStatement } from "../../generated-sql.js";
import { commandArgumentsEnd, matchingBracket } from "./brackets.js";
import { callArguments } from "./call-arguments.js";
import type { CodeBlock } from "./code-block.js";
import { type OrmColumn, type OrmOperation, rawStatement, statementsAt } from "./orm-statements-sql.js";
import {
  type RubyArgument,
  hashEntries,
  isFalse,
  isTrue,
  keyword,
  pluralTable,
  positional,
  rubyDefault,
  rubyName,
  rubyNames,
  rubyString,
  singularColumn,
  withText,
} from "./orm-statements-ruby-values.js";
import { rubyBlockEnd, rubyBlockRanges } from "./ruby-blocks.js";

/** ActiveRecord's PostgreSQL column types (NATIVE_DATABASE_TYPES), by migration type. */
const TYPES: Record<string, string> = {
  string: "character varying",
  text: "text",
  integer: "integer",
  bigint: "bigint",
  float: "double precision",
  decimal: "numeric",
  numeric: "numeric",
  datetime: "timestamp without time zone",
  timestamp: "timestamp without time zone",
  timestamptz: "timestamp with time zone",
  time: "time without time zone",
  date: "date",
  binary: "bytea",
  boolean: "boolean",
  json: "json",
  jsonb: "jsonb",
  uuid: "uuid",
  inet: "inet",
  cidr: "cidr",
  macaddr: "macaddr",
  hstore: "hstore",
  citext: "citext",
  interval: "interval",
  tsvector: "tsvector",
  money: "money",
  xml: "xml",
  daterange: "daterange",
  tsrange: "tsrange",
  tstzrange: "tstzrange",
  int4range: "int4range",
  int8range: "int8range",
  numrange: "numrange",
  point: "point",
  bit: "bit",
  bit_varying: "bit varying",
  oid: "oid",
  serial: "serial",
  bigserial: "bigserial",
};

function sqlType(type: string, args: readonly RubyArgument[]): string | undefined {
  const base = TYPES[type];
  if (!base) return undefined;
  const limit = keyword(args, "limit")?.trim();
  const precision = keyword(args, "precision")?.trim();
  const scale = keyword(args, "scale")?.trim();
  let sql = base;
  if (type === "string" && limit && /^\d+$/.test(limit)) sql = `character varying(${limit})`;
  if (type === "integer" && limit === "8") sql = "bigint";
  if (type === "integer" && limit === "2") sql = "smallint";
  if ((type === "decimal" || type === "numeric") && precision && /^\d+$/.test(precision)) {
    sql = `numeric(${precision}${scale && /^\d+$/.test(scale) ? `, ${scale}` : ""})`;
  }
  return isTrue(keyword(args, "array")) ? `${sql}[]` : sql;
}

/** A column with its options; an unreadable default leaves out the default and NOT NULL (same locks: a constant). */
function column(name: string, type: string, args: readonly RubyArgument[]): OrmColumn | undefined {
  const sql = sqlType(type, args);
  if (!sql) return undefined;
  const result: OrmColumn = { name, type: sql };
  const defaultText = keyword(args, "default");
  const value = rubyDefault(defaultText);
  if (defaultText !== undefined && value === undefined) return result;
  if (value !== undefined && value !== "NULL") result.default = value;
  if (isFalse(keyword(args, "null"))) result.notNull = true;
  return result;
}

interface Reader {
  text: string;
  masked: string;
  source: SourceText;
  out: GeneratedStatement[];
}

const lineAt = (reader: Reader, offset: number): number => reader.source.position(offset).line;

function indexName(table: string, columns: readonly string[]): string {
  return `index_${table.replace(/\./g, "_")}_on_${columns.join("_and_")}`;
}

/** `add_index` / `t.index` arguments (after the table): columns or an expression, and options. */
function indexOperation(table: string, target: RubyArgument | undefined, args: readonly RubyArgument[]): OrmOperation | undefined {
  if (!target) return undefined;
  const expression = rubyString(target.text);
  const names = rubyNames(target.text);
  const isExpression = expression !== undefined && /[()\s]/.test(expression.trim());
  const columns = isExpression ? [expression] : names;
  if (!columns) return undefined;
  const op: OrmOperation = { kind: "createIndex", table, columns, expressions: isExpression };
  const name = rubyName(keyword(args, "name"));
  if (name) op.name = name;
  if (isTrue(keyword(args, "unique"))) op.unique = true;
  if (keyword(args, "algorithm")?.trim() === ":concurrently") op.concurrently = true;
  const where = keyword(args, "where");
  if (where !== undefined) {
    const condition = rubyString(where);
    if (condition === undefined) return undefined;
    op.where = condition;
  }
  const using = rubyName(keyword(args, "using"));
  if (using) op.using = using;
  return op;
}

function foreignKeyOperation(table: string, to: string, args: readonly RubyArgument[], column?: string): OrmOperation | undefined {
  const columnText = keyword(args, "column");
  const guessed = column ?? singularColumn(to);
  const columns = columnText !== undefined ? rubyNames(columnText) : guessed ? [guessed] : undefined;
  if (!columns) return undefined;
  const primary = keyword(args, "primary_key");
  const refColumns = primary !== undefined ? rubyNames(primary) : ["id"];
  if (!refColumns) return undefined;
  const op: OrmOperation = { kind: "addForeignKey", table, columns, refTable: to, refColumns };
  const name = rubyName(keyword(args, "name"));
  if (name) op.name = name;
  if (isFalse(keyword(args, "validate"))) op.notValid = true;
  return op;
}

/** `add_reference :table, :user, …` / `t.references :user, …`: the column, its index, its foreign key. */
function referenceOperations(table: string, ref: string, args: readonly RubyArgument[], inCreate: boolean): { columns: OrmColumn[]; ops: OrmOperation[] } {
  const typeName = rubyName(keyword(args, "type")) ?? "bigint";
  const type = sqlType(typeName, []);
  if (!type) return { columns: [], ops: [] };
  const idColumn: OrmColumn = { name: `${ref}_id`, type };
  if (isFalse(keyword(args, "null"))) idColumn.notNull = true;
  const columns = [idColumn];
  const polymorphic = isTrue(keyword(args, "polymorphic"));
  if (polymorphic) columns.push({ name: `${ref}_type`, type: "character varying", ...(idColumn.notNull ? { notNull: true } : {}) });
  const ops: OrmOperation[] = [];
  const index = keyword(args, "index");
  if (!isFalse(index)) {
    const options = hashEntries(index) ?? [];
    const indexColumns = polymorphic ? [`${ref}_type`, `${ref}_id`] : [`${ref}_id`];
    const op = indexOperation(table, { start: 0, end: 0, masked: "", text: `[${indexColumns.map((c) => `:${c}`).join(", ")}]` }, options);
    if (op && op.kind === "createIndex") ops.push({ ...op, name: rubyName(keyword(options, "name")) ?? indexName(table, indexColumns) });
  }
  const foreignKey = keyword(args, "foreign_key");
  if (foreignKey !== undefined && !isFalse(foreignKey) && !polymorphic) {
    const options = hashEntries(foreignKey) ?? [];
    const to = rubyName(keyword(options, "to_table")) ?? pluralTable(ref);
    if (to) {
      const fk = foreignKeyOperation(table, to, options, `${ref}_id`);
      // In create_table the key is part of the new table: no scan of existing rows.
      if (fk && fk.kind === "addForeignKey" && inCreate) idColumn.references = { table: to, column: fk.refColumns[0] ?? "id" };
      else if (fk) ops.push(fk);
    }
  }
  return { columns, ops };
}

/** Ruby heredoc `<<~SQL` at `at` (original text): its body and the line it starts on. */
function heredocBody(reader: Reader, at: number): { line: number; sql: string } | undefined {
  const opener = /^<<([~-]?)(["'`]?)([A-Za-z_]\w*)\2/.exec(reader.text.slice(at));
  if (!opener) return undefined;
  const [, flavour = "", quote = "", id = ""] = opener;
  const bodyStart = reader.text.indexOf("\n", at) + 1;
  if (bodyStart <= 0) return undefined;
  let position = bodyStart;
  while (position < reader.text.length) {
    const newline = reader.text.indexOf("\n", position);
    const end = newline < 0 ? reader.text.length : newline;
    const line = reader.text.slice(position, end).replace(/\r$/, "");
    if ((flavour === "" ? line : line.trim()) === id) {
      let sql = reader.text.slice(bodyStart, position);
      if (quote !== "'") {
        // `#{' '}` (a literal) is its text; any other interpolation makes the SQL unknown.
        sql = sql.replace(/#\{\s*(['"])([^'"]*)\1\s*\}/g, "$2");
        if (sql.includes("#{")) return undefined;
      }
      return { line: lineAt(reader, bodyStart), sql };
    }
    position = end + 1;
  }
  return undefined;
}

function executeStatement(reader: Reader, args: readonly RubyArgument[]): GeneratedStatement | undefined {
  const first = args[0];
  if (!first) return undefined;
  const heredoc = /^<<[~-]?["'`]?[A-Za-z_]/.test(first.text) ? heredocBody(reader, first.start) : undefined;
  if (heredoc) return rawStatement(heredoc.line, heredoc.sql);
  const sql = rubyString(first.text);
  return sql === undefined ? undefined : rawStatement(lineAt(reader, first.start), sql);
}

/** The `do |t| … end` / `{ |t| … }` block after a call's arguments: its variable and body range. */
function blockOf(masked: string, from: number): { variable: string; start: number; end: number } | undefined {
  // The block opens on the line where the call's arguments end.
  const argumentsEnd = commandArgumentsEnd(masked, from);
  const lineEnd = masked.indexOf("\n", argumentsEnd);
  const opener = /\b(do)\b|\{/g;
  opener.lastIndex = from;
  const match = opener.exec(masked);
  if (!match || (lineEnd >= 0 && match.index >= lineEnd)) return undefined;
  const afterOpener = match.index + match[0].length;
  const variable = /^\s*\|\s*([A-Za-z_]\w*)\s*\|/.exec(masked.slice(afterOpener));
  if (!variable) return undefined;
  const close = match[1] ? rubyBlockEnd(masked, afterOpener) : matchingBracket(masked, match.index);
  const end = close === undefined || close < 0 ? undefined : close;
  if (end === undefined) return undefined;
  return { variable: variable[1] ?? "t", start: afterOpener + variable[0].length, end };
}

const COLUMN_HELPERS = new Set(Object.keys(TYPES));

/** The calls on a table block's variable (`t.string :name`): create_table's columns, change_table's alterations. */
function tableBlock(
  reader: Reader,
  table: string,
  block: { variable: string; start: number; end: number },
  create: { columns: OrmColumn[] } | undefined,
): void {
  const call = new RegExp(`(?<![\\w.])${block.variable}\\.([a-z_]+)\\b(?![?!=])`, "g");
  call.lastIndex = block.start;
  for (let match = call.exec(reader.masked); match && match.index < block.end; match = call.exec(reader.masked)) {
    const method = match[1] ?? "";
    const line = lineAt(reader, match.index);
    const args = withText(reader.text, callArguments(reader.masked, match.index + match[0].length).args);
    const names = positional(args);
    const emit = (ops: OrmOperation[]): void => {
      reader.out.push(...statementsAt(line, ops));
    };
    const typed = method === "column" ? rubyName(names[1]?.text) : method;
    const columnNames = method === "column" ? names.slice(0, 1) : names;
    if (typed && COLUMN_HELPERS.has(typed)) {
      for (const name of columnNames.map((argument) => rubyName(argument.text))) {
        const definition = name ? column(name, typed, args) : undefined;
        if (!definition) continue;
        if (create) create.columns.push(definition);
        else emit([{ kind: "addColumn", table, column: definition }]);
        if (isTrue(keyword(args, "index"))) emit([{ kind: "createIndex", table, columns: [definition.name], name: indexName(table, [definition.name]) }]);
      }
    } else if (method === "timestamps") {
      const nullable = keyword(args, "null");
      for (const name of ["created_at", "updated_at"]) {
        const definition: OrmColumn = { name, type: TYPES.datetime ?? "timestamp", ...(isTrue(nullable) ? {} : { notNull: true }) };
        if (create) create.columns.push(definition);
        else emit([{ kind: "addColumn", table, column: definition }]);
      }
    } else if (method === "references" || method === "belongs_to") {
      for (const ref of names.map((argument) => rubyName(argument.text))) {
        if (!ref) continue;
        const reference = referenceOperations(table, ref, args, create !== undefined);
        if (create) create.columns.push(...reference.columns);
        else emit(reference.columns.map((definition) => ({ kind: "addColumn", table, column: definition })));
        emit(reference.ops);
      }
    } else if (method === "index") {
      const op = indexOperation(table, names[0], args);
      if (op?.kind === "createIndex") emit([{ ...op, name: op.name ?? (op.expressions ? undefined : indexName(table, op.columns)) }]);
    } else if (!create && method === "remove") {
      emit(
        names.flatMap((argument) => {
          const name = rubyName(argument.text);
          return name ? [{ kind: "dropColumn", table, column: name } as const] : [];
        }),
      );
    } else if (!create && method === "rename") {
      const [from, to] = [rubyName(names[0]?.text), rubyName(names[1]?.text)];
      if (from && to) emit([{ kind: "renameColumn", table, from, to }]);
    } else if (!create && method === "change") {
      const name = rubyName(names[0]?.text);
      const type = rubyName(names[1]?.text);
      const sql = type ? sqlType(type, args) : undefined;
      if (name && sql) emit([{ kind: "alterType", table, column: name, type: sql }]);
    }
  }
}

const CALL =
  /(?<![\w.:@$])(create_table|change_table|add_column|add_reference|add_belongs_to|change_column_null|change_column_default|change_column|add_index|remove_index|add_foreign_key|validate_foreign_key|add_check_constraint|validate_check_constraint|remove_columns|remove_column|rename_column|rename_table|drop_table|execute)\b(?![?!:=])|(?<=\.)(execute)\b/g;

function readCall(reader: Reader, method: string, nameEnd: number, line: number): number | undefined {
  const call = callArguments(reader.masked, nameEnd);
  const args = withText(reader.text, call.args);
  const names = positional(args);
  const table = rubyName(names[0]?.text);
  const emit = (ops: ReadonlyArray<OrmOperation | undefined>): void => {
    reader.out.push(
      ...statementsAt(
        line,
        ops.filter((op): op is OrmOperation => op !== undefined),
      ),
    );
  };
  if (method === "execute") {
    const statement = executeStatement(reader, args);
    if (statement) reader.out.push(statement);
    return undefined;
  }
  if (!table) return undefined;
  const second = rubyName(names[1]?.text);
  switch (method) {
    case "create_table": {
      const create = { columns: [] as OrmColumn[] };
      const id = keyword(args, "id");
      if (!isFalse(id)) {
        const idType = rubyName(id) ?? "bigserial";
        const pkType = idType === "uuid" ? "uuid" : idType === "bigserial" || idType === "primary_key" ? "bigserial" : sqlType(idType, []);
        if (pkType)
          create.columns.push({
            name: rubyName(keyword(args, "primary_key")) ?? "id",
            type: pkType,
            primaryKey: true,
            ...(idType === "uuid" ? { default: "gen_random_uuid()" } : {}),
          });
      }
      const statementIndex = reader.out.length;
      const block = blockOf(reader.masked, nameEnd);
      if (block) tableBlock(reader, table, block, create);
      // The table first, then the indexes its block declared.
      reader.out.splice(statementIndex, 0, ...statementsAt(line, [{ kind: "createTable", table, columns: create.columns }]));
      return block?.end;
    }
    case "change_table": {
      const block = blockOf(reader.masked, nameEnd);
      if (block) tableBlock(reader, table, block, undefined);
      return block?.end;
    }
    case "add_column": {
      const type = rubyName(names[2]?.text);
      const definition = second && type ? column(second, type, args) : undefined;
      emit([definition ? { kind: "addColumn", table, column: definition } : undefined]);
      return undefined;
    }
    case "add_reference":
    case "add_belongs_to": {
      if (!second) return undefined;
      const reference = referenceOperations(table, second, args, false);
      emit([...reference.columns.map((definition): OrmOperation => ({ kind: "addColumn", table, column: definition })), ...reference.ops]);
      return undefined;
    }
    case "change_column": {
      const type = rubyName(names[2]?.text);
      const sql = type ? sqlType(type, args) : undefined;
      if (!second || !sql) return undefined;
      const value = rubyDefault(keyword(args, "default"));
      const nullOption = keyword(args, "null");
      emit([
        { kind: "alterType", table, column: second, type: sql },
        value !== undefined ? { kind: "setDefault", table, column: second, default: value } : undefined,
        isFalse(nullOption) ? { kind: "setNotNull", table, column: second } : isTrue(nullOption) ? { kind: "dropNotNull", table, column: second } : undefined,
      ]);
      return undefined;
    }
    case "change_column_null": {
      const allow = names[2]?.text.trim();
      if (!second || (allow !== "true" && allow !== "false")) return undefined;
      emit([{ kind: allow === "false" ? "setNotNull" : "dropNotNull", table, column: second }]);
      return undefined;
    }
    case "change_column_default": {
      const to = keyword(args, "to") ?? names[2]?.text;
      const value = rubyDefault(to);
      if (!second || value === undefined) return undefined;
      emit([value === "NULL" ? { kind: "dropDefault", table, column: second } : { kind: "setDefault", table, column: second, default: value }]);
      return undefined;
    }
    case "add_index": {
      const op = indexOperation(table, names[1], args);
      if (op?.kind === "createIndex" && !op.name && !op.expressions) op.name = indexName(table, op.columns);
      emit([op]);
      return undefined;
    }
    case "remove_index": {
      const columns = rubyNames(keyword(args, "column") ?? names[1]?.text);
      const name = rubyName(keyword(args, "name")) ?? (columns ? indexName(table, columns) : undefined);
      if (name) emit([{ kind: "dropIndex", name, concurrently: keyword(args, "algorithm")?.trim() === ":concurrently" }]);
      return undefined;
    }
    case "add_foreign_key":
      emit([second ? foreignKeyOperation(table, second, args) : undefined]);
      return undefined;
    case "validate_foreign_key":
    case "validate_check_constraint": {
      const name = rubyName(keyword(args, "name"));
      if (name) emit([{ kind: "validateConstraint", table, name }]);
      return undefined;
    }
    case "add_check_constraint": {
      const expression = names[1] ? rubyString(names[1].text) : undefined;
      if (expression === undefined) return undefined;
      const name = rubyName(keyword(args, "name"));
      emit([{ kind: "addCheck", table, expression, ...(name ? { name } : {}), ...(isFalse(keyword(args, "validate")) ? { notValid: true } : {}) }]);
      return undefined;
    }
    case "remove_column":
      if (second) emit([{ kind: "dropColumn", table, column: second }]);
      return undefined;
    case "remove_columns":
      emit(
        names.slice(1).map((argument) => {
          const name = rubyName(argument.text);
          return name ? { kind: "dropColumn", table, column: name } : undefined;
        }),
      );
      return undefined;
    case "rename_column": {
      const to = rubyName(names[2]?.text);
      if (second && to) emit([{ kind: "renameColumn", table, from: second, to }]);
      return undefined;
    }
    case "rename_table":
      if (second) emit([{ kind: "renameTable", from: table, to: second }]);
      return undefined;
    case "drop_table":
      emit([{ kind: "dropTable", table }]);
      return blockOf(reader.masked, nameEnd)?.end;
    default:
      return undefined;
  }
}

/**
 * `if`/`unless` blocks whose condition names another database adapter (`adapter_name ==
 * "SQLServer"`, `mysql`, `sqlite`): their SQL is not PostgreSQL's, and which branch runs here is
 * not read, so the whole block is left out.
 */
function otherAdapterBlocks(text: string, masked: string, from: number, to: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const opener = /^[ \t]*(?:if|unless|case)\b[^\n]*$/gm;
  opener.lastIndex = from;
  for (let match = opener.exec(masked); match && match.index < to; match = opener.exec(masked)) {
    const condition = text.slice(match.index, match.index + match[0].length);
    if (!/sql\s*server|mysql|sqlite|trilogy|oracle/i.test(condition)) continue;
    const end = rubyBlockEnd(masked, match.index + match[0].length);
    if (end !== undefined) ranges.push([match.index, end]);
  }
  return ranges;
}

/**
 * The statements of the method ActiveRecord runs on the way up (`change`, or `up`), in call
 * order. In `change`, the `down` parts of `reversible` blocks and `revert` blocks do not run up.
 */
export function railsUpStatements(source: SourceText, masked: string, up: CodeBlock): GeneratedStatement[] {
  const reader: Reader = { text: source.text, masked, source, out: [] };
  const skipped = rubyBlockRanges(masked, up.bodyStart, up.bodyEnd, ["down", "revert"]).filter(
    ([from]) => masked.charAt(from - 1) === "." || masked.startsWith("revert", from),
  );
  skipped.push(...otherAdapterBlocks(source.text, masked, up.bodyStart, up.bodyEnd));
  const call = new RegExp(CALL.source, "g");
  call.lastIndex = up.bodyStart;
  for (let match = call.exec(masked); match && match.index < up.bodyEnd; match = call.exec(masked)) {
    const at = match.index;
    const inSkipped = skipped.find(([from, to]) => at >= from && at < to);
    if (inSkipped) {
      call.lastIndex = inSkipped[1];
      continue;
    }
    const method = match[1] ?? match[2] ?? "";
    const resume = readCall(reader, method, at + match[0].length, lineAt(reader, at));
    if (resume !== undefined) call.lastIndex = resume;
  }
  return reader.out;
}
