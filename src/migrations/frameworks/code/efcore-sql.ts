import type { SourceText } from "../../../sql/source-text.js";
import { type Argument, matchingBracket, splitArguments } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";
import { type OrmStatement, quoteName, spreadStatement, sqlString, type StatementPart } from "./orm-call-sql-sections.js";

/**
 * The SQL that an EF Core migration's `Up` issues with the Npgsql provider, each statement at the
 * line of its `migrationBuilder` call: CreateTable (columns, primary and foreign keys), AddColumn,
 * AlterColumn, DropColumn, RenameColumn, CreateIndex (CONCURRENTLY, outside the
 * transaction, with Npgsql's `CreatedConcurrently` annotation), DropIndex, AddForeignKey, DropForeignKey, AddUniqueConstraint,
 * DropTable, RenameTable and `Sql("…")` parsed at its lines. EF runs a migration in one
 * transaction; a `Sql(…, suppressTransaction: true)` runs outside it. Only named arguments, as
 * `dotnet ef migrations add` writes them, are read; anything not a literal issues nothing.
 */

type Line = (offset: number) => number;
type Statement = { line: number; sql: string; outside?: boolean };

interface Code {
  text: string;
  masked: string;
  line: Line;
}

const CALL =
  /\.\s*(CreateTable|AddColumn|AlterColumn|DropColumn|RenameColumn|CreateIndex|DropIndex|AddForeignKey|DropForeignKey|AddUniqueConstraint|DropTable|RenameTable|Sql)\s*(?:<[^<>()]*(?:<[^<>()]*>)?[^<>()]*>)?\s*(?=\()/g;

const ACTIONS: Record<string, string> = {
  Cascade: " ON DELETE CASCADE",
  SetNull: " ON DELETE SET NULL",
  Restrict: " ON DELETE RESTRICT",
  NoAction: "",
  SetDefault: " ON DELETE SET DEFAULT",
};

/** `"…"`, `@"…"` or `"""…"""`, not interpolated. */
function csString(code: Code, argument: Argument | undefined): { value: string; start: number } | undefined {
  if (!argument) return undefined;
  const masked = argument.masked;
  const raw = /^("{3,})[\s\S]*\1$/.exec(masked);
  const verbatim = masked.startsWith('@"');
  const quote = raw ? (raw[1] ?? '"""') : verbatim ? '@"' : '"';
  if (!raw && !verbatim && !masked.startsWith('"')) return undefined;
  const close = raw ? quote.length : 1;
  if (masked.length < quote.length + close || masked.slice(quote.length, masked.length - close).trim() !== "") return undefined;
  const text = code.text.slice(argument.start + quote.length, argument.end - close);
  const value = raw
    ? text
    : verbatim
      ? text.replace(/""/g, '"')
      : text.replace(/\\(.)/g, (_, escaped: string) => ({ n: "\n", t: "\t", r: "\r" })[escaped] ?? escaped);
  return { value, start: argument.start + quote.length };
}

function named(args: readonly Argument[]): Map<string, Argument> {
  const found = new Map<string, Argument>();
  for (const argument of args) {
    const match = /^([A-Za-z_]\w*)\s*:(?!:)\s*/.exec(argument.masked);
    if (match) found.set(match[1] ?? "", { start: argument.start + match[0].length, end: argument.end, masked: argument.masked.slice(match[0].length) });
  }
  return found;
}

function stringOf(code: Code, options: Map<string, Argument>, key: string): string | undefined {
  return csString(code, options.get(key))?.value;
}

/** `column: "A"` or `columns: new[] { "A", "B" }`. */
function columnsOf(code: Code, options: Map<string, Argument>, single: string, plural: string): string[] | undefined {
  const one = stringOf(code, options, single);
  if (one) return [one];
  const list = options.get(plural);
  const open = list ? code.masked.indexOf("{", list.start) : -1;
  if (!list || open < 0 || open > list.end) return undefined;
  const values = splitArguments(code.masked, open + 1, matchingBracket(code.masked, open)).map((item) => csString(code, item)?.value);
  return values.length > 0 && values.every((value): value is string => value !== undefined) ? values : undefined;
}

function tableOf(code: Code, options: Map<string, Argument>, key = "table"): string | undefined {
  const table = stringOf(code, options, key);
  const schema = options.has("schema") ? stringOf(code, options, "schema") : undefined;
  if (!table || (options.has("schema") && !schema)) return undefined;
  return schema ? `${schema}.${table}` : table;
}

/** A CLR default as the SQL literal Npgsql writes; undefined when not read. */
function defaultLiteral(code: Code, argument: Argument): string | undefined {
  const text = argument.masked.replace(/[mMdDfFlL]$/, "");
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return text;
  if (text === "true" || text === "false") return text.toUpperCase();
  const value = csString(code, argument);
  if (value) return sqlString(value.value);
  const date = /^new\s+DateTime\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)(?:\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+))?/.exec(argument.masked);
  if (date) {
    const [year, month, day, hour = "0", minute = "0", second = "0"] = date.slice(1).map((part) => part ?? "0");
    const pad = (part: string | undefined, width = 2): string => (part ?? "0").padStart(width, "0");
    return `'${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}'`;
  }
  const guid = /^new\s+Guid\s*\(\s*"\s*"\s*\)$/.exec(argument.masked);
  if (guid) {
    const open = argument.start + argument.masked.indexOf('"');
    const inner = csString(code, { start: open, end: argument.end - 1, masked: argument.masked.slice(argument.masked.indexOf('"'), -1).trim() });
    return inner ? sqlString(inner.value) : undefined;
  }
  return undefined;
}

/** `"col" type NOT NULL DEFAULT …` from the named arguments of AddColumn or table.Column. */
function columnDefinition(code: Code, name: string, options: Map<string, Argument>, tail: string): string | undefined {
  const type = stringOf(code, options, "type");
  if (!type || !/^[\w\s(),[\]]+$/.test(type)) return undefined;
  let sql = `${quoteName(name)} ${type}`;
  if (options.get("nullable")?.masked !== "true") sql += " NOT NULL";
  if (options.has("defaultValueSql")) {
    const value = stringOf(code, options, "defaultValueSql");
    if (!value) return undefined;
    sql += ` DEFAULT ${value}`;
  } else if (options.has("defaultValue")) {
    const argument = options.get("defaultValue");
    const value = argument ? defaultLiteral(code, argument) : undefined;
    if (value === undefined) return undefined;
    sql += ` DEFAULT ${value}`;
  }
  if (/Npgsql:ValueGenerationStrategy"\s*,\s*NpgsqlValueGenerationStrategy\.Identity(ByDefault|Always)Column/.test(tail)) {
    sql += /IdentityAlwaysColumn/.test(tail) ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY";
  }
  return sql;
}

function foreignKey(code: Code, options: Map<string, Argument>, columns: string[] | undefined): string | undefined {
  const name = stringOf(code, options, "name");
  const principalTable = stringOf(code, options, "principalTable");
  const principalSchema = options.has("principalSchema") ? stringOf(code, options, "principalSchema") : undefined;
  const principal = principalTable && principalSchema ? `${principalSchema}.${principalTable}` : options.has("principalSchema") ? undefined : principalTable;
  const principalColumns = columnsOf(code, options, "principalColumn", "principalColumns") ?? ["Id"];
  const action = options.has("onDelete") ? ACTIONS[/ReferentialAction\.(\w+)$/.exec(options.get("onDelete")?.masked ?? "")?.[1] ?? ""] : "";
  if (!name || !principal || !columns || action === undefined) return undefined;
  return `CONSTRAINT ${quoteName(name)} FOREIGN KEY (${columns.map(quoteName).join(", ")}) REFERENCES ${quoteName(principal)} (${principalColumns.map(quoteName).join(", ")})${action}`;
}

/** The text after a call up to its `;`: Npgsql annotations chained on it. */
function chainedText(code: Code, close: number): string {
  const end = code.masked.indexOf(";", close);
  return code.text.slice(close, end < 0 ? code.text.length : end);
}

function createTable(code: Code, options: Map<string, Argument>, line: number): Statement[] {
  const table = tableOf(code, options, "name");
  const columns = options.get("columns");
  if (!table || !columns) return [];
  const body = code.masked.indexOf("{", columns.start);
  if (body < 0 || body > columns.end) return [];
  const parts: StatementPart[] = [];
  for (const item of splitArguments(code.masked, body + 1, matchingBracket(code.masked, body))) {
    const column = /^([A-Za-z_]\w*)\s*=\s*[\w]+\s*\.\s*Column\s*(?:<[^()]*>)?\s*\(/.exec(item.masked);
    if (!column) continue;
    const open = item.start + column[0].length - 1;
    const close = matchingBracket(code.masked, open);
    const args = named(splitArguments(code.masked, open + 1, close));
    const name = args.has("name") ? stringOf(code, args, "name") : column[1];
    const sql = name ? columnDefinition(code, name, args, code.text.slice(close, item.end)) : undefined;
    if (sql) parts.push({ line: code.line(item.start), text: sql });
  }
  const constraints = options.get("constraints");
  if (constraints) {
    const call = /\.\s*(PrimaryKey|ForeignKey|UniqueConstraint)\s*\(/g;
    call.lastIndex = constraints.start;
    for (let match = call.exec(code.masked); match && match.index < constraints.end; match = call.exec(code.masked)) {
      const open = match.index + match[0].length - 1;
      const args = splitArguments(code.masked, open + 1, matchingBracket(code.masked, open));
      const part = constraintPart(code, match[1] ?? "", args);
      if (part) parts.push({ line: code.line(match.index), text: part });
    }
  }
  return [spreadStatement(line, `CREATE TABLE ${quoteName(table)}`, parts)];
}

/** The columns of a `x => x.Id` or `x => new { x.A, x.B }` selector. */
function selectedColumns(argument: Argument | undefined): string[] | undefined {
  if (!argument) return undefined;
  const body = /=>\s*([\s\S]*)$/.exec(argument.masked)?.[1]?.trim();
  if (!body) return undefined;
  const members = body.startsWith("new") ? body.replace(/^new\s*\{|\}$/g, "").split(",") : [body];
  const names = members.map((member) => /^\s*\w+\.(\w+)\s*$/.exec(member)?.[1]);
  return names.every((name): name is string => name !== undefined) ? names : undefined;
}

function constraintPart(code: Code, kind: string, args: readonly Argument[]): string | undefined {
  const options = named(args);
  if (kind === "ForeignKey") return foreignKey(code, options, selectedColumns(options.get("column")));
  const name = csString(code, args[0])?.value;
  const columns = selectedColumns(args[1]);
  if (!name || !columns) return undefined;
  return `CONSTRAINT ${quoteName(name)} ${kind === "PrimaryKey" ? "PRIMARY KEY" : "UNIQUE"} (${columns.map(quoteName).join(", ")})`;
}

function translate(code: Code, name: string, args: readonly Argument[], line: number, close: number): Statement[] {
  const options = named(args);
  const table = tableOf(code, options);
  const column = stringOf(code, options, "name");
  const alter = table ? `ALTER TABLE ${quoteName(table)}` : "";
  switch (name) {
    case "Sql": {
      const sql = csString(code, options.get("sql") ?? args[0]);
      if (!sql) return [];
      const lead = sql.value.length - sql.value.trimStart().length;
      return [{ line: code.line(sql.start + lead), sql: sql.value.trim(), outside: options.get("suppressTransaction")?.masked === "true" }];
    }
    case "CreateTable":
      return createTable(code, options, line);
    case "AddColumn": {
      const definition = table && column ? columnDefinition(code, column, options, chainedText(code, close)) : undefined;
      return definition ? [{ line, sql: `${alter} ADD ${definition}` }] : [];
    }
    case "AlterColumn": {
      if (!table || !column) return [];
      const target = `${alter} ALTER COLUMN ${quoteName(column)}`;
      const statements: Statement[] = [];
      const [type, oldType] = [stringOf(code, options, "type"), stringOf(code, options, "oldType")];
      if (type && oldType && type !== oldType && /^[\w\s(),[\]]+$/.test(type)) statements.push({ line, sql: `${target} TYPE ${type}` });
      const nullable = options.get("nullable")?.masked === "true";
      const oldNullable = options.get("oldNullable")?.masked === "true";
      if (!nullable && oldNullable) statements.push({ line, sql: `${target} SET NOT NULL` });
      if (nullable && !oldNullable) statements.push({ line, sql: `${target} DROP NOT NULL` });
      return statements;
    }
    case "DropColumn":
      return table && column ? [{ line, sql: `${alter} DROP COLUMN ${quoteName(column)}` }] : [];
    case "RenameColumn": {
      const to = stringOf(code, options, "newName");
      return table && column && to ? [{ line, sql: `${alter} RENAME COLUMN ${quoteName(column)} TO ${quoteName(to)}` }] : [];
    }
    case "CreateIndex": {
      const columns = columnsOf(code, options, "column", "columns");
      if (!table || !column || !columns) return [];
      const unique = options.get("unique")?.masked === "true" ? "UNIQUE " : "";
      const concurrently = /Npgsql:CreatedConcurrently"\s*,\s*true/.test(chainedText(code, close)) ? "CONCURRENTLY " : "";
      const filter = options.has("filter") ? stringOf(code, options, "filter") : undefined;
      if (options.has("filter") && !filter) return [];
      // Npgsql ends a concurrent index's statement with suppressTransaction: it runs outside EF's transaction.
      return [
        {
          line,
          sql: `CREATE ${unique}INDEX ${concurrently}${quoteName(column)} ON ${quoteName(table)} (${columns.map(quoteName).join(", ")})${filter ? ` WHERE ${filter}` : ""}`,
          outside: concurrently !== "",
        },
      ];
    }
    case "DropIndex":
      return column ? [{ line, sql: `DROP INDEX ${quoteName(column)}` }] : [];
    case "AddForeignKey": {
      const key = table ? foreignKey(code, options, columnsOf(code, options, "column", "columns")) : undefined;
      return key ? [{ line, sql: `${alter} ADD ${key}` }] : [];
    }
    case "DropForeignKey":
      return table && column ? [{ line, sql: `${alter} DROP CONSTRAINT ${quoteName(column)}` }] : [];
    case "AddUniqueConstraint": {
      const columns = columnsOf(code, options, "column", "columns");
      return table && column && columns ? [{ line, sql: `${alter} ADD CONSTRAINT ${quoteName(column)} UNIQUE (${columns.map(quoteName).join(", ")})` }] : [];
    }
    case "DropTable": {
      const dropped = tableOf(code, options, "name");
      return dropped ? [{ line, sql: `DROP TABLE ${quoteName(dropped)}` }] : [];
    }
    case "RenameTable": {
      const from = tableOf(code, options, "name");
      const to = stringOf(code, options, "newName");
      return from && to ? [{ line, sql: `ALTER TABLE ${quoteName(from)} RENAME TO ${quoteName(to)}` }] : [];
    }
    default:
      return [];
  }
}

export function efcoreUpStatements(source: SourceText, masked: string, up: CodeBlock | undefined): OrmStatement[] {
  if (!up) return [];
  const code: Code = { text: source.text, masked, line: (offset) => source.position(offset).line };
  const statements: OrmStatement[] = [];
  const call = new RegExp(CALL.source, "g");
  call.lastIndex = up.bodyStart;
  for (let match = call.exec(masked); match && match.index < up.bodyEnd; match = call.exec(masked)) {
    const open = match.index + match[0].length;
    const close = matchingBracket(masked, open);
    if (close < 0) continue;
    const args = splitArguments(masked, open + 1, close);
    for (const { outside, ...statement } of translate(code, match[1] ?? "", args, code.line(match.index), close)) {
      statements.push({ ...statement, inTransaction: outside !== true });
    }
    call.lastIndex = close;
  }
  return statements;
}
