import type { SourceText } from "../../../sql/source-text.js";
import { type Argument, matchingBracket, splitArguments } from "./brackets.js";
import { callArguments, isKeywordArgument } from "./call-arguments.js";
import type { CodeBlock } from "./code-block.js";
import { elixirBlockEnd } from "./elixir-blocks.js";
import { type OrmStatement, quoteName, spreadStatement, sqlString, type StatementPart } from "./orm-call-sql-sections.js";

/**
 * The SQL that an Ecto migration's `change` or `up` issues on PostgreSQL (Ecto.Adapters.Postgres),
 * each statement at the line of its call: `create table … do … end`, `alter table … do … end`
 * (one statement per `add`/`modify`/`remove`, so each finding lands on its own line, where Ecto
 * sends one ALTER TABLE for the block: the same locks, taken once), `create index`/`unique_index`,
 * `create constraint`, `drop`, `rename`, and `execute "…"` parsed at its lines. Values that are
 * not literals issue nothing.
 */

type Line = (offset: number) => number;
type Statement = { line: number; sql: string };

interface Code {
  text: string;
  masked: string;
  line: Line;
}

const COMMAND = /(?<![\w.:@])(create_if_not_exists|create|alter|drop_if_exists|drop|rename|execute)\b(?![?!:])/g;
const TABLE_COMMAND = /(?<![\w.:@])(add_if_not_exists|add|modify|remove_if_exists|remove|timestamps)\b(?![?!:])/g;

/** Ecto's database types for its own type names; other atoms are sent as written. */
const TYPES: Record<string, string> = {
  id: "integer",
  binary_id: "uuid",
  string: "varchar(255)",
  binary: "bytea",
  map: "jsonb",
  time: "time(0)",
  time_usec: "time",
  utc_datetime: "timestamp(0)",
  utc_datetime_usec: "timestamp",
  naive_datetime: "timestamp(0)",
  naive_datetime_usec: "timestamp",
  decimal: "decimal",
  float: "float",
};

const ON_DELETE: Record<string, string> = { delete_all: " ON DELETE CASCADE", nilify_all: " ON DELETE SET NULL", restrict: " ON DELETE RESTRICT", nothing: "" };

/** A string literal `"…"` or heredoc `"""…"""` without interpolation. */
function elixirString(code: Code, argument: Argument | undefined): { value: string; start: number } | undefined {
  if (!argument) return undefined;
  const heredoc = argument.masked.startsWith('"""') && argument.masked.endsWith('"""') && argument.masked.length >= 6;
  const quote = heredoc ? '"""' : argument.masked.charAt(0);
  if (!heredoc && (quote !== '"' || argument.masked.length < 2 || !argument.masked.endsWith('"'))) return undefined;
  if (argument.masked.slice(quote.length, -quote.length).trim() !== "") return undefined;
  const raw = code.text.slice(argument.start + quote.length, argument.end - quote.length);
  if (raw.includes("#{")) return undefined;
  return { value: raw.replace(/\\(.)/g, (_, escaped: string) => ({ n: "\n", t: "\t" })[escaped] ?? escaped), start: argument.start + quote.length };
}

/** `:users` or `"users"`. */
function nameOf(code: Code, argument: Argument | undefined): string | undefined {
  if (!argument) return undefined;
  const atom = /^:([A-Za-z_]\w*)$/.exec(argument.masked);
  return atom ? atom[1] : elixirString(code, argument)?.value;
}

/** `key: value` keyword arguments (also inside a trailing `[key: value]`). */
function keywords(code: Code, args: readonly Argument[]): Map<string, Argument> {
  const found = new Map<string, Argument>();
  for (const argument of args) {
    if (argument.masked.startsWith("[") && /^\[\s*[a-z_]\w*:/.test(argument.masked)) {
      for (const [key, value] of keywords(code, splitArguments(code.masked, argument.start + 1, argument.end - 1))) found.set(key, value);
      continue;
    }
    const match = /^([a-z_]\w*):\s*/.exec(argument.masked);
    if (match) found.set(match[1] ?? "", { start: argument.start + match[0].length, end: argument.end, masked: argument.masked.slice(match[0].length) });
  }
  return found;
}

function positional(args: readonly Argument[]): Argument[] {
  return args.filter((argument) => !isKeywordArgument(argument) && !/^\[\s*[a-z_]\w*:/.test(argument.masked));
}

/** `table(:users, prefix: "x")` / `index(:users, [:a])`: the function name and its arguments. */
function innerCall(code: Code, argument: Argument | undefined): { name: string; args: Argument[] } | undefined {
  const match = argument ? /^(table|index|unique_index|constraint)\s*\(/.exec(argument.masked) : null;
  if (!argument || !match) return undefined;
  const open = argument.start + match[0].length - 1;
  const close = matchingBracket(code.masked, open);
  return close < 0 ? undefined : { name: match[1] ?? "", args: splitArguments(code.masked, open + 1, close) };
}

function tableName(code: Code, args: readonly Argument[]): string | undefined {
  const name = nameOf(code, positional(args)[0]);
  const prefix = keywords(code, args).get("prefix");
  if (!prefix) return name;
  const schema = nameOf(code, prefix);
  return name && schema ? `${schema}.${name}` : undefined;
}

function literal(code: Code, argument: Argument | undefined): string | undefined {
  if (!argument) return undefined;
  if (/^(?:true|false|nil|-?\d+(?:\.\d+)?)$/.test(argument.masked)) return argument.masked === "nil" ? "NULL" : argument.masked;
  const text = elixirString(code, argument);
  if (text) return sqlString(text.value);
  const fragment = /^fragment\s*\(/.exec(argument.masked);
  if (!fragment) return undefined;
  const inner = argument.masked.slice(fragment[0].length, -1);
  const start = argument.start + fragment[0].length + (inner.length - inner.trimStart().length);
  return elixirString(code, { start, end: start + inner.trim().length, masked: inner.trim() })?.value;
}

function columnType(code: Code, argument: Argument | undefined, options: Map<string, Argument>): string | undefined {
  if (!argument) return undefined;
  const array = /^\{\s*:array\s*,\s*(.+)\}$/.exec(argument.masked);
  if (array) {
    const start = argument.start + argument.masked.indexOf(array[1] ?? "");
    const element = columnType(code, { start, end: start + (array[1] ?? "").trim().length, masked: (array[1] ?? "").trim() }, new Map());
    return element ? `${element}[]` : undefined;
  }
  const name = nameOf(code, argument);
  if (!name || !/^[\w ()]+$/.test(name)) return undefined;
  const size = options.get("size")?.masked;
  const [precision, scale] = [options.get("precision")?.masked, options.get("scale")?.masked];
  if (name === "string" && size && /^\d+$/.test(size)) return `varchar(${size})`;
  if (name === "decimal" && precision && /^\d+$/.test(precision))
    return scale && /^\d+$/.test(scale) ? `decimal(${precision},${scale})` : `decimal(${precision})`;
  return TYPES[name] ?? name;
}

/** `"col" type NOT NULL DEFAULT … REFERENCES …` for `add :col, type, opts`; `validate: false` references come back apart. */
function columnDefinition(code: Code, table: string, args: readonly Argument[]): { sql: string; notValidKey?: string } | undefined {
  const [nameArgument, typeArgument] = positional(args);
  const name = nameOf(code, nameArgument);
  const options = keywords(code, args);
  if (!name || !typeArgument) return undefined;
  const reference = innerReference(code, typeArgument);
  const type = reference ? reference.type : columnType(code, typeArgument, options);
  if (!type) return undefined;
  let sql = `${quoteName(name)} ${type}`;
  if (options.get("primary_key")?.masked === "true") sql += " PRIMARY KEY";
  if (options.get("null")?.masked === "false") sql += " NOT NULL";
  if (options.has("default")) {
    const value = literal(code, options.get("default"));
    if (value === undefined) return undefined;
    sql += ` DEFAULT ${value}`;
  }
  if (!reference) return { sql };
  const constraint = `${quoteName(reference.name ?? `${table.split(".").pop() ?? table}_${name}_fkey`)}`;
  const target = `REFERENCES ${quoteName(reference.table)}(${quoteName(reference.column)})${reference.onDelete}`;
  if (reference.validate) return { sql: `${sql} CONSTRAINT ${constraint} ${target}` };
  return { sql, notValidKey: `ADD CONSTRAINT ${constraint} FOREIGN KEY (${quoteName(name)}) ${target} NOT VALID` };
}

function innerReference(
  code: Code,
  argument: Argument,
): { table: string; column: string; type: string; onDelete: string; validate: boolean; name: string | undefined } | undefined {
  const match = /^references\s*\(/.exec(argument.masked);
  if (!match) return undefined;
  const args = splitArguments(code.masked, argument.start + match[0].length, argument.end - 1);
  const options = keywords(code, args);
  const table = nameOf(code, positional(args)[0]);
  const column = options.has("column") ? nameOf(code, options.get("column")) : "id";
  const typeOption = options.get("type");
  const type = typeOption ? columnType(code, typeOption, new Map()) : "bigint";
  const onDeleteAtom = options.has("on_delete") ? /^:(\w+)$/.exec(options.get("on_delete")?.masked ?? "")?.[1] : "nothing";
  const onDelete = onDeleteAtom === undefined ? undefined : ON_DELETE[onDeleteAtom];
  const name = options.has("name") ? nameOf(code, options.get("name")) : undefined;
  if (!table || !column || !type || onDelete === undefined || (options.has("name") && !name)) return undefined;
  return {
    table,
    column,
    type: type === "serial" ? "integer" : type === "bigserial" ? "bigint" : type,
    onDelete,
    validate: options.get("validate")?.masked !== "false",
    name,
  };
}

function tableBlock(code: Code, table: string, from: number, to: number, created: boolean, header: Statement, primaryKey: boolean): Statement[] {
  const parts: StatementPart[] = created && primaryKey ? [{ line: header.line, text: `"id" bigserial PRIMARY KEY` }] : [];
  const statements: Statement[] = [];
  const alter = `ALTER TABLE ${quoteName(table)}`;
  const command = new RegExp(TABLE_COMMAND.source, "g");
  command.lastIndex = from;
  for (let match = command.exec(code.masked); match && match.index < to; match = command.exec(code.masked)) {
    const name = match[1] ?? "";
    const { args } = callArguments(code.masked, match.index + match[0].length);
    const line = code.line(match.index);
    if (name === "timestamps") {
      const options = keywords(code, args);
      const type = options.has("type") ? columnType(code, options.get("type"), new Map()) : "timestamp(0)";
      if (!type || options.has("inserted_at") || options.has("updated_at")) continue;
      const nullable = options.get("null")?.masked === "true" ? "" : " NOT NULL";
      for (const column of ["inserted_at", "updated_at"]) {
        if (created) parts.push({ line, text: `${quoteName(column)} ${type}${nullable}` });
        else statements.push({ line, sql: `${alter} ADD COLUMN ${quoteName(column)} ${type}${nullable}` });
      }
    } else if (name === "add" || name === "add_if_not_exists") {
      const column = columnDefinition(code, table, args);
      if (!column) continue;
      const notValid = column.notValidKey ? `, ${column.notValidKey}` : "";
      if (created && !notValid) parts.push({ line, text: column.sql });
      else if (!created) statements.push({ line, sql: `${alter} ADD COLUMN ${name === "add_if_not_exists" ? "IF NOT EXISTS " : ""}${column.sql}${notValid}` });
    } else if (!created && (name === "remove" || name === "remove_if_exists")) {
      const column = nameOf(code, positional(args)[0]);
      if (column) statements.push({ line, sql: `${alter} DROP COLUMN ${name === "remove_if_exists" ? "IF EXISTS " : ""}${quoteName(column)}` });
    } else if (!created && name === "modify") {
      statements.push(...modify(code, table, args, line));
    }
  }
  return created ? [spreadStatement(header.line, header.sql, parts), ...statements] : statements;
}

/** `modify :col, :type, opts`: Ecto changes the type, then the nullability and the default it is given. */
function modify(code: Code, table: string, args: readonly Argument[], line: number): Statement[] {
  const [nameArgument, typeArgument] = positional(args);
  const column = nameOf(code, nameArgument);
  const options = keywords(code, args);
  if (!column || !typeArgument) return [];
  const reference = innerReference(code, typeArgument);
  const type = reference ? reference.type : columnType(code, typeArgument, options);
  if (!type) return [];
  const target = `ALTER TABLE ${quoteName(table)} ALTER COLUMN ${quoteName(column)}`;
  const statements = [{ line, sql: `${target} TYPE ${type}` }];
  const nullability = options.get("null")?.masked;
  if (nullability === "false") statements.push({ line, sql: `${target} SET NOT NULL` });
  if (nullability === "true") statements.push({ line, sql: `${target} DROP NOT NULL` });
  if (options.has("default")) {
    const value = literal(code, options.get("default"));
    if (value !== undefined) statements.push({ line, sql: `${target} SET DEFAULT ${value}` });
  }
  return statements;
}

function indexStatement(code: Code, args: readonly Argument[], unique: boolean, line: number, drop: string | undefined): Statement[] {
  const table = tableName(code, args);
  const columns = positional(args)[1];
  const options = keywords(code, args);
  if (!table || !columns) return [];
  const items = columns.masked.startsWith("[") ? splitArguments(code.masked, columns.start + 1, columns.end - 1) : [columns];
  const names = items.map((item) => nameOf(code, item));
  if (!names.every((name): name is string => name !== undefined) || names.length === 0) return [];
  const given = options.has("name") ? nameOf(code, options.get("name")) : undefined;
  if (options.has("name") && !given) return [];
  const bare = table.split(".").pop() ?? table;
  const name = given ?? `${bare}_${names.map((column) => column.replace(/\W+/g, "_").replace(/^_|_$/g, "")).join("_")}_index`;
  const concurrently = options.get("concurrently")?.masked === "true" ? "CONCURRENTLY " : "";
  const schema = table.includes(".") ? `${table.slice(0, table.lastIndexOf("."))}.` : "";
  if (drop !== undefined) return [{ line, sql: `DROP INDEX ${concurrently}${drop}${quoteName(schema + name)}` }];
  const isUnique = unique || options.get("unique")?.masked === "true";
  const method = /^:(\w+)$/.exec(options.get("using")?.masked ?? "")?.[1];
  const where = options.has("where") ? elixirString(code, options.get("where"))?.value : undefined;
  if (options.has("where") && where === undefined) return [];
  const expressions = items.map((item, index) => (/^:/.test(item.masked) ? quoteName(names[index] ?? "") : `(${names[index] ?? ""})`));
  return [
    {
      line,
      sql: `CREATE ${isUnique ? "UNIQUE " : ""}INDEX ${concurrently}${quoteName(name)} ON ${quoteName(table)}${method ? ` USING ${method}` : ""} (${expressions.join(", ")})${where ? ` WHERE ${where}` : ""}`,
    },
  ];
}

function command(code: Code, name: string, at: number, nameEnd: number): { statements: Statement[]; end: number } {
  const { args, hasBlock } = callArguments(code.masked, nameEnd);
  const line = code.line(at);
  const argsEnd = args[args.length - 1]?.end ?? nameEnd;
  const none = { statements: [], end: argsEnd };
  if (name === "execute") {
    const sql = elixirString(code, positional(args)[0]);
    if (!sql) return none;
    const lead = sql.value.length - sql.value.trimStart().length;
    return { statements: [{ line: code.line(sql.start + lead), sql: sql.value.trim() }], end: argsEnd };
  }
  const target = innerCall(code, args[0]);
  if (!target) return none;
  const table = target.name === "table" || target.name === "constraint" ? tableName(code, target.args) : undefined;
  if (target.name === "table" && hasBlock && (name === "create" || name === "create_if_not_exists" || name === "alter")) {
    const doAt = code.masked.indexOf("do", argsEnd);
    const end = doAt < 0 ? undefined : elixirBlockEnd(code.masked, doAt + 2);
    if (!table || end === undefined) return none;
    const created = name !== "alter";
    const primaryKey = keywords(code, target.args).get("primary_key")?.masked !== "false";
    const header = { line, sql: `CREATE TABLE ${name === "create_if_not_exists" ? "IF NOT EXISTS " : ""}${quoteName(table)}` };
    return { statements: tableBlock(code, table, doAt + 2, end, created, header, primaryKey), end };
  }
  if ((target.name === "index" || target.name === "unique_index") && (name === "create" || name === "create_if_not_exists")) {
    return { statements: indexStatement(code, target.args, target.name === "unique_index", line, undefined), end: argsEnd };
  }
  if ((target.name === "index" || target.name === "unique_index") && (name === "drop" || name === "drop_if_exists")) {
    return { statements: indexStatement(code, target.args, false, line, name === "drop_if_exists" ? "IF EXISTS " : ""), end: argsEnd };
  }
  if (target.name === "table" && (name === "drop" || name === "drop_if_exists") && table) {
    return { statements: [{ line, sql: `DROP TABLE ${name === "drop_if_exists" ? "IF EXISTS " : ""}${quoteName(table)}` }], end: argsEnd };
  }
  if (target.name === "constraint" && name === "create" && table) {
    const constraint = nameOf(code, positional(target.args)[1]);
    const options = keywords(code, target.args);
    const check = elixirString(code, options.get("check"));
    const notValid = options.get("validate")?.masked === "false" ? " NOT VALID" : "";
    if (!constraint || !check) return none;
    return {
      statements: [{ line, sql: `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(constraint)} CHECK (${check.value})${notValid}` }],
      end: argsEnd,
    };
  }
  if (target.name === "table" && name === "rename" && table) {
    const options = keywords(code, args);
    const to = options.get("to");
    const renamed = innerCall(code, to);
    if (renamed?.name === "table") {
      const newName = nameOf(code, positional(renamed.args)[0]);
      return newName ? { statements: [{ line, sql: `ALTER TABLE ${quoteName(table)} RENAME TO ${quoteName(newName)}` }], end: argsEnd } : none;
    }
    const from = nameOf(code, positional(args)[1]);
    const newColumn = nameOf(code, to);
    return from && newColumn
      ? { statements: [{ line, sql: `ALTER TABLE ${quoteName(table)} RENAME COLUMN ${quoteName(from)} TO ${quoteName(newColumn)}` }], end: argsEnd }
      : none;
  }
  return none;
}

export function ectoUpStatements(source: SourceText, masked: string, up: CodeBlock | undefined, inTransaction: boolean): OrmStatement[] {
  if (!up) return [];
  const code: Code = { text: source.text, masked, line: (offset) => source.position(offset).line };
  const statements: OrmStatement[] = [];
  const pattern = new RegExp(COMMAND.source, "g");
  pattern.lastIndex = up.bodyStart;
  for (let match = pattern.exec(masked); match && match.index < up.bodyEnd; match = pattern.exec(masked)) {
    const { statements: found, end } = command(code, match[1] ?? "", match.index, match.index + match[0].length);
    for (const statement of found) statements.push({ ...statement, inTransaction });
    pattern.lastIndex = Math.max(pattern.lastIndex, end);
  }
  return statements;
}
