/**
 * The SQL a Laravel migration's `up()` issues on PostgreSQL, read call by call: `Schema::create`
 * and `Schema::table` blueprints (`$table->string('x')->nullable()`, `->change()`, `->index()`,
 * `->unique()`, `foreignId(…)->constrained()`, `foreign(…)->references(…)->on(…)`, `dropColumn`,
 * `renameColumn`, `dropIndex`, …), `Schema::drop`/`dropIfExists`/`rename`, and raw SQL in
 * `DB::statement` / `DB::unprepared`. Laravel columns are NOT NULL unless `->nullable()`. Each
 * statement sits at the line of its call; what is not a plain literal issues nothing.
 */

import type { SourceText } from "../../../sql/source-text.js";
import type { GeneratedStatement } from "../../generated-sql.js";
import { matchingBracket, splitArguments } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";
import { type OrmColumn, type OrmOperation, rawStatement, sqlString, statementsAt } from "./orm-statements-sql.js";

interface PhpCall {
  name: string;
  args: string[];
}

/** A PHP string literal's content: single-quoted, or double-quoted without `$` interpolation. */
function phpString(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const single = /^'((?:\\.|[^'\\])*)'$/s.exec(trimmed);
  if (single) return (single[1] ?? "").replace(/\\(['\\])/g, "$1");
  const double = /^"((?:\\.|[^"\\])*)"$/s.exec(trimmed);
  if (!double || (double[1] ?? "").includes("$")) return undefined;
  return (double[1] ?? "").replace(/\\(["\\$])/g, "$1").replace(/\\n/g, "\n");
}

/** `'a'` or `['a', 'b']` → names. */
function phpNames(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!trimmed.startsWith("[")) {
    const one = phpString(trimmed);
    return one === undefined ? undefined : [one];
  }
  const parts = trimmed
    .slice(1, -1)
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(phpString);
  return parts.every((part): part is string => part !== undefined) ? parts : undefined;
}

function phpLiteral(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return value;
  if (/^(?:true|false)$/i.test(value)) return value.toLowerCase();
  if (/^null$/i.test(value)) return "NULL";
  const string = phpString(value);
  return string === undefined ? undefined : sqlString(string);
}

const digits = (text: string | undefined, fallback: string): string => (text !== undefined && /^\d+$/.test(text.trim()) ? text.trim() : fallback);

/** Laravel's PostgreSQL grammar: the column type of a blueprint method (its first argument being the name). */
function columnType(method: string, args: readonly string[]): string | undefined {
  switch (method) {
    case "string":
      return `character varying(${digits(args[1], "255")})`;
    case "char":
      return `character(${digits(args[1], "255")})`;
    case "text":
    case "mediumText":
    case "longText":
    case "tinyText":
      return "text";
    case "integer":
    case "unsignedInteger":
      return "integer";
    case "bigInteger":
    case "unsignedBigInteger":
    case "foreignId":
      return "bigint";
    case "smallInteger":
    case "tinyInteger":
    case "unsignedSmallInteger":
    case "unsignedTinyInteger":
      return "smallint";
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "dateTime":
    case "timestamp":
      return `timestamp(${digits(args[1], "0")}) without time zone`;
    case "dateTimeTz":
    case "timestampTz":
      return `timestamp(${digits(args[1], "0")}) with time zone`;
    case "time":
      return `time(${digits(args[1], "0")}) without time zone`;
    case "decimal":
      return `numeric(${digits(args[1], "8")}, ${digits(args[2], "2")})`;
    case "double":
      return "double precision";
    case "json":
      return "json";
    case "jsonb":
      return "jsonb";
    case "uuid":
    case "foreignUuid":
      return "uuid";
    case "binary":
      return "bytea";
    case "ipAddress":
      return "inet";
    case "macAddress":
      return "macaddr";
    default:
      return undefined;
  }
}

const AUTO_INCREMENTS: Record<string, string> = { id: "bigserial", bigIncrements: "bigserial", increments: "serial", smallIncrements: "smallserial" };

/** `$table->a(…)->b(…)->…` from the offset of `->` after the variable: each call with its arguments' original text. */
function chainAt(text: string, masked: string, from: number, end: number): PhpCall[] {
  const calls: PhpCall[] = [];
  const link = /^\s*->\s*([A-Za-z_]\w*)\s*\(/;
  let position = from;
  while (position < end) {
    const match = link.exec(masked.slice(position, end));
    if (!match) break;
    const open = position + match[0].length - 1;
    const close = matchingBracket(masked, open);
    if (close < 0 || close > end) break;
    calls.push({ name: match[1] ?? "", args: splitArguments(masked, open + 1, close).map((argument) => text.slice(argument.start, argument.end)) });
    position = close + 1;
  }
  return calls;
}

function modifier(chain: readonly PhpCall[], name: string): PhpCall | undefined {
  return chain.slice(1).find((call) => call.name === name);
}

/** `Laravel's name for an index: table_col1_col2_suffix`. */
function indexName(table: string, columns: readonly string[], suffix: string): string {
  return `${table}_${columns.join("_")}_${suffix}`.replace(/[-.]/g, "_").toLowerCase();
}

function pluralTable(column: string): string | undefined {
  const base = column.replace(/_id$/, "");
  if (base === column || /(?:person|child|man|data|status|news|series|info)$/.test(base)) return undefined;
  if (/[^aeiou]y$/.test(base)) return `${base.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/.test(base)) return `${base}es`;
  return `${base}s`;
}

/** One blueprint statement: the operations it issues (`create` collects the columns of Schema::create). */
function blueprintOperations(table: string, chain: readonly PhpCall[], create: OrmColumn[] | undefined): OrmOperation[] {
  const [head] = chain;
  if (!head) return [];
  const { name: method, args } = head;
  const first = phpString(args[0]);
  const add = (column: OrmColumn): OrmOperation[] => {
    if (create) {
      create.push(column);
      return [];
    }
    return [{ kind: "addColumn", table, column }];
  };
  const auto = AUTO_INCREMENTS[method];
  if (auto) return add({ name: first ?? "id", type: auto, primaryKey: true });
  if (method === "timestamps" || method === "timestampsTz" || method === "softDeletes" || method === "rememberToken") {
    const type =
      method === "rememberToken" ? "character varying(100)" : method === "timestampsTz" ? "timestamp(0) with time zone" : "timestamp(0) without time zone";
    const names = method === "softDeletes" ? [first ?? "deleted_at"] : method === "rememberToken" ? ["remember_token"] : ["created_at", "updated_at"];
    return names.flatMap((name) => add({ name, type }));
  }
  const type = columnType(method, args);
  if (type && first) {
    const nullable = modifier(chain, "nullable");
    const isNullable = nullable !== undefined && nullable.args[0]?.trim().toLowerCase() !== "false";
    if (modifier(chain, "change")) {
      const ops: OrmOperation[] = [{ kind: "alterType", table, column: first, type }];
      // change() restates the nullability; only an explicit one is read (SET NOT NULL on a column
      // already NOT NULL scans nothing, and we do not know which it was).
      if (nullable && !isNullable) ops.push({ kind: "setNotNull", table, column: first });
      if (nullable && isNullable) ops.push({ kind: "dropNotNull", table, column: first });
      return ops;
    }
    if (modifier(chain, "storedAs") || modifier(chain, "virtualAs") || modifier(chain, "generatedAs")) return [];
    const column: OrmColumn = { name: first, type };
    const defaultCall = modifier(chain, "default");
    if (defaultCall) {
      const value = phpLiteral(defaultCall.args[0]);
      // A default we cannot read is still a constant: left out with NOT NULL (the same locks).
      if (value === undefined) return add(column);
      if (value !== "NULL") column.default = value;
    }
    if (modifier(chain, "useCurrent")) column.default = "CURRENT_TIMESTAMP";
    if (!isNullable) column.notNull = true;
    const ops = add(column);
    if (modifier(chain, "unique")) ops.push({ kind: "addUnique", table, columns: [first], name: indexName(table, [first], "unique") });
    if (modifier(chain, "index")) ops.push({ kind: "createIndex", table, columns: [first], name: indexName(table, [first], "index") });
    const constrained = modifier(chain, "constrained");
    if (constrained) {
      const to = phpString(constrained.args[0]) ?? pluralTable(first);
      if (to)
        ops.push({
          kind: "addForeignKey",
          table,
          columns: [first],
          refTable: to,
          refColumns: [phpString(constrained.args[1]) ?? "id"],
          name: indexName(table, [first], "foreign"),
        });
    }
    return ops;
  }
  switch (method) {
    case "index":
    case "unique": {
      const columns = phpNames(args[0]);
      if (!columns) return [];
      const name = phpString(args[1]) ?? indexName(table, columns, method);
      return method === "index" ? [{ kind: "createIndex", table, columns, name }] : [{ kind: "addUnique", table, columns, name }];
    }
    case "foreign": {
      const columns = phpNames(args[0]);
      const references = phpNames(modifier(chain, "references")?.args[0]);
      const on = phpString(modifier(chain, "on")?.args[0]);
      if (!columns || !references || !on) return [];
      return [
        { kind: "addForeignKey", table, columns, refTable: on, refColumns: references, name: phpString(args[1]) ?? indexName(table, columns, "foreign") },
      ];
    }
    case "dropColumn": {
      const names = args.length > 1 ? args.map((argument) => phpString(argument)) : (phpNames(args[0]) ?? [undefined]);
      return names.flatMap((name) => (name ? [{ kind: "dropColumn", table, column: name } as const] : []));
    }
    case "dropTimestamps":
      return ["created_at", "updated_at"].map((name) => ({ kind: "dropColumn", table, column: name }));
    case "renameColumn": {
      const to = phpString(args[1]);
      return first && to ? [{ kind: "renameColumn", table, from: first, to }] : [];
    }
    case "dropIndex": {
      const columns = args[0]?.trim().startsWith("[") ? phpNames(args[0]) : undefined;
      const name = columns ? indexName(table, columns, "index") : first;
      return name ? [{ kind: "dropIndex", name }] : [];
    }
    case "dropUnique":
    case "dropForeign":
    case "dropPrimary": {
      const columns = args[0]?.trim().startsWith("[") ? phpNames(args[0]) : undefined;
      const suffix = method === "dropUnique" ? "unique" : method === "dropForeign" ? "foreign" : "pkey";
      const name = columns ? indexName(table, columns, suffix) : first;
      return name ? [{ kind: "dropConstraint", table, name }] : [];
    }
    case "rename":
      return first ? [{ kind: "renameTable", from: table, to: first }] : [];
    default:
      return [];
  }
}

interface Reader {
  source: SourceText;
  masked: string;
  out: GeneratedStatement[];
}

const lineAt = (reader: Reader, offset: number): number => reader.source.position(offset).line;

/** The closure body `function (Blueprint $table) { … }` among a call's arguments: its variable and body. */
function closureOf(masked: string, from: number, to: number): { variable: string; start: number; end: number } | undefined {
  const header = /\bfunction\s*\(\s*(?:[\\\w]+\s+)?\$(\w+)\s*\)\s*(?:use\s*\([^)]*\)\s*)?(?::\s*\w+\s*)?\{/g;
  header.lastIndex = from;
  const match = header.exec(masked);
  if (!match || match.index >= to) return undefined;
  const open = match.index + match[0].length - 1;
  const close = matchingBracket(masked, open);
  return close < 0 ? undefined : { variable: match[1] ?? "table", start: open + 1, end: close };
}

function blueprint(reader: Reader, table: string, closure: { variable: string; start: number; end: number }, create: OrmColumn[] | undefined): void {
  const statement = new RegExp(`\\$${closure.variable}(?=\\s*->)`, "g");
  statement.lastIndex = closure.start;
  for (let match = statement.exec(reader.masked); match && match.index < closure.end; match = statement.exec(reader.masked)) {
    const chainStart = match.index + match[0].length;
    const chain = chainAt(reader.source.text, reader.masked, chainStart, closure.end);
    reader.out.push(...statementsAt(lineAt(reader, match.index), blueprintOperations(table, chain, create)));
  }
}

const CALL = /\b(Schema|DB)\s*::\s*(create|table|drop|dropIfExists|rename|dropColumns|statement|unprepared)\s*\(/g;

/** The statements of `up()`, in call order. */
export function laravelUpStatements(source: SourceText, masked: string, up: CodeBlock): GeneratedStatement[] {
  const reader: Reader = { source, masked, out: [] };
  const call = new RegExp(CALL.source, "g");
  call.lastIndex = up.bodyStart;
  for (let match = call.exec(masked); match && match.index < up.bodyEnd; match = call.exec(masked)) {
    const [facade, method] = [match[1] ?? "", match[2] ?? ""];
    const open = match.index + match[0].length - 1;
    const close = matchingBracket(masked, open);
    if (close < 0) continue;
    const args = splitArguments(masked, open + 1, close);
    const text = (index: number): string | undefined => {
      const argument = args[index];
      return argument ? source.text.slice(argument.start, argument.end) : undefined;
    };
    const line = lineAt(reader, match.index);
    const table = phpString(text(0));
    if (facade === "DB") {
      const sql = phpString(text(0));
      const first = args[0];
      const statement = sql !== undefined && first ? rawStatement(lineAt(reader, first.start), sql) : undefined;
      if (method !== "statement" && method !== "unprepared") continue;
      if (statement) reader.out.push(statement);
      continue;
    }
    if (!table) continue;
    if (method === "create" || method === "table") {
      const closure = closureOf(masked, open, close);
      if (!closure) continue;
      if (method === "create") {
        const columns: OrmColumn[] = [];
        const at = reader.out.length;
        blueprint(reader, table, closure, columns);
        reader.out.splice(at, 0, ...statementsAt(line, [{ kind: "createTable", table, columns }]));
      } else blueprint(reader, table, closure, undefined);
      call.lastIndex = close;
    } else if (method === "drop" || method === "dropIfExists") {
      reader.out.push(...statementsAt(line, [{ kind: "dropTable", table }]));
    } else if (method === "rename") {
      const to = phpString(text(1));
      if (to) reader.out.push(...statementsAt(line, [{ kind: "renameTable", from: table, to }]));
    } else if (method === "dropColumns") {
      const names = phpNames(text(1)) ?? [];
      reader.out.push(
        ...statementsAt(
          line,
          names.map((column): OrmOperation => ({ kind: "dropColumn", table, column })),
        ),
      );
    }
  }
  return reader.out;
}
