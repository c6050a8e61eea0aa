/**
 * The SQL a Django migration's `operations` issue on PostgreSQL, read operation by operation:
 * CreateModel, DeleteModel, RenameModel, AddField, RemoveField, AlterField, RenameField, AddIndex
 * (and AddIndexConcurrently), RemoveIndex(Concurrently), AddConstraint (UniqueConstraint) and RunSQL,
 * inside SeparateDatabaseAndState only its database_operations. Each statement sits at the line of
 * its operation. AlterField issues SQL only for what changed, so it needs the field as the app's
 * earlier migrations left it (`DjangoSchemaState`); without it, AlterField issues nothing.
 */

import type { SourceText } from "../../../sql/source-text.js";
import type { GeneratedStatement } from "../../generated-sql.js";
import { matchingBracket, splitArguments } from "./brackets.js";
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

interface DjangoField {
  column: string;
  /** SQL type; undefined for a field type not known here (custom fields). */
  type: string | undefined;
  nullable: boolean;
  unique: boolean;
  indexed: boolean;
  /** The referenced table of a ForeignKey/OneToOneField. */
  references?: string | undefined;
}

/** The fields and tables an app's migrations have set up so far, by table and field name. */
export class DjangoSchemaState {
  readonly fields = new Map<string, DjangoField>();
  /** Model (lower case) → table, for models with `db_table`. */
  readonly tables = new Map<string, string>();
}

const STRING_FIELDS = new Set([
  "CharField",
  "TextField",
  "SlugField",
  "EmailField",
  "URLField",
  "FileField",
  "ImageField",
  "FilePathField",
  "GenericIPAddressField",
]);
const FIXED: Record<string, string> = {
  TextField: "text",
  IntegerField: "integer",
  BigIntegerField: "bigint",
  SmallIntegerField: "smallint",
  PositiveIntegerField: "integer",
  PositiveBigIntegerField: "bigint",
  PositiveSmallIntegerField: "smallint",
  BooleanField: "boolean",
  NullBooleanField: "boolean",
  DateField: "date",
  DateTimeField: "timestamp with time zone",
  TimeField: "time",
  DurationField: "interval",
  FloatField: "double precision",
  UUIDField: "uuid",
  JSONField: "jsonb",
  BinaryField: "bytea",
  GenericIPAddressField: "inet",
  IPAddressField: "inet",
};
const DEFAULT_LENGTH: Record<string, number> = {
  CharField: 0,
  SlugField: 50,
  EmailField: 254,
  URLField: 200,
  FileField: 100,
  ImageField: 100,
  FilePathField: 100,
};
const AUTO: Record<string, [string, string]> = {
  AutoField: ["integer", "serial"],
  BigAutoField: ["bigint", "bigserial"],
  SmallAutoField: ["smallint", "smallserial"],
};
const RELATIONS = new Set(["ForeignKey", "OneToOneField"]);

function fieldType(field: PyCall): string | undefined {
  const fixed = FIXED[field.name];
  if (fixed) return fixed;
  const length = DEFAULT_LENGTH[field.name];
  if (length !== undefined) {
    const given = field.keywords.get("max_length")?.text.trim();
    if (given !== undefined && /^\d+$/.test(given)) return `character varying(${given})`;
    return length > 0 ? `character varying(${length})` : undefined;
  }
  if (field.name === "DecimalField") {
    const [digits, places] = [field.keywords.get("max_digits")?.text.trim(), field.keywords.get("decimal_places")?.text.trim()];
    return digits && places && /^\d+$/.test(digits) && /^\d+$/.test(places) ? `numeric(${digits}, ${places})` : undefined;
  }
  if (field.name === "ArrayField") {
    const base = pyCall(argument(field, 0, "base_field"));
    const type = base ? fieldType(base) : undefined;
    return type ? `${type}[]` : undefined;
  }
  return undefined;
}

interface Context {
  app: string;
  state: DjangoSchemaState;
  /** Django ≥ 4.1 makes auto fields identity columns; older versions, serial. */
  identity: boolean;
  line: (offset: number) => number;
  out: GeneratedStatement[];
}

function tableOf(context: Context, model: string): string {
  const lower = model.toLowerCase();
  return context.state.tables.get(`${context.app}.${lower}`) ?? `${context.app}_${lower}`;
}

/** `"app.Model"` or `"Model"` → its table; undefined for anything else (settings.AUTH_USER_MODEL). */
function referencedTable(context: Context, to: PyValue | undefined): string | undefined {
  const target = pyString(to);
  if (!target) return undefined;
  const [app, model] = target.includes(".") ? target.split(".") : [context.app, target];
  if (!app || !model) return undefined;
  return context.state.tables.get(`${app}.${model.toLowerCase()}`) ?? `${app}_${model.toLowerCase()}`;
}

function readField(context: Context, name: string, field: PyCall): DjangoField {
  const relation = RELATIONS.has(field.name);
  const dbColumn = pyString(field.keywords.get("db_column"));
  const auto = AUTO[field.name];
  const references = relation ? referencedTable(context, argument(field, 0, "to")) : undefined;
  const referencedId = references ? context.state.fields.get(`${references}.id`)?.type : undefined;
  return {
    column: dbColumn ?? (relation ? `${name}_id` : name),
    type: auto ? auto[0] : relation ? (referencedId ?? "bigint") : fieldType(field),
    nullable: pyTrue(field.keywords.get("null")),
    unique: pyTrue(field.keywords.get("unique")) || field.name === "OneToOneField" || pyTrue(field.keywords.get("primary_key")),
    indexed: relation ? !pyFalse(field.keywords.get("db_index")) : pyTrue(field.keywords.get("db_index")),
    references: references && !pyFalse(field.keywords.get("db_constraint")) ? references : undefined,
  };
}

/**
 * The column as Django adds it: with its effective default (a constant Django computes: the
 * literal, or "" for a blank string field) while existing rows are filled. A default we cannot
 * read (a callable, auto_now) is still a constant: the column then goes in without DEFAULT and
 * without NOT NULL, which locks the same way (briefly, no rewrite) and reports no missing default.
 */
function addedColumn(field: DjangoField, call: PyCall): OrmColumn | undefined {
  if (!field.type) return undefined;
  const column: OrmColumn = { name: field.column, type: field.type };
  if (field.nullable) return column;
  const given = call.keywords.get("db_default") ?? call.keywords.get("default");
  const literal = pyLiteral(given);
  const blankString = STRING_FIELDS.has(call.name) && pyTrue(call.keywords.get("blank"));
  const computed = pyTrue(call.keywords.get("auto_now")) || pyTrue(call.keywords.get("auto_now_add"));
  if (given && (literal === undefined || literal === "NULL")) return column;
  if (literal !== undefined) column.default = literal;
  else if (blankString) column.default = "''";
  else if (computed) return column;
  column.notNull = true;
  return column;
}

function fieldIndexes(table: string, field: DjangoField): OrmOperation[] {
  if (field.unique) return [{ kind: "addUnique", table, columns: [field.column] }];
  return field.indexed ? [{ kind: "createIndex", table, columns: [field.column] }] : [];
}

function foreignKey(table: string, field: DjangoField): OrmOperation[] {
  return field.references ? [{ kind: "addForeignKey", table, columns: [field.column], refTable: field.references, refColumns: ["id"] }] : [];
}

/** varchar(n) → varchar(m ≥ n) or text: PostgreSQL changes no stored value (no rewrite). */
function widens(from: string, to: string): boolean {
  const length = (type: string) => /^character varying(?:\((\d+)\))?$/.exec(type);
  const [a, b] = [length(from), length(to)];
  if (!a) return false;
  if (to === "text" || (b && b[1] === undefined)) return true;
  return b !== null && a[1] !== undefined && Number(b[1]) >= Number(a[1]);
}

function operation(context: Context, call: PyCall): void {
  const emit = (ops: OrmOperation[]): void => {
    context.out.push(...statementsAt(context.line(call.start), ops));
  };
  const { state } = context;
  const model = pyString(argument(call, 0, call.name === "CreateModel" || call.name === "DeleteModel" ? "name" : "model_name"));
  const table = model ? tableOf(context, model) : undefined;
  switch (call.name) {
    case "CreateModel": {
      if (!model || !table) return;
      const dbTable = pyString(optionsEntry(call.keywords.get("options"), "db_table"));
      const created = dbTable ?? table;
      if (dbTable) state.tables.set(`${context.app}.${model.toLowerCase()}`, dbTable);
      const columns: OrmColumn[] = [];
      const after: OrmOperation[] = [];
      for (const [name, field] of fieldPairs(argument(call, 1, "fields"))) {
        const read = readField(context, name, field);
        state.fields.set(`${created}.${name}`, read);
        if (!read.type) continue;
        const auto = AUTO[field.name];
        const type = auto ? (context.identity ? `${auto[0]} GENERATED BY DEFAULT AS IDENTITY` : auto[1]) : read.type;
        const primaryKey = pyTrue(field.keywords.get("primary_key"));
        columns.push({ name: read.column, type, ...(primaryKey ? { primaryKey } : { notNull: !read.nullable, unique: read.unique }) });
        if (read.references) after.push(...foreignKey(created, read), { kind: "createIndex", table: created, columns: [read.column] });
      }
      emit([{ kind: "createTable", table: created, columns }, ...after]);
      return;
    }
    case "DeleteModel":
      if (table) emit([{ kind: "dropTable", table }]);
      return;
    case "RenameModel": {
      const [from, to] = [pyString(argument(call, 0, "old_name")), pyString(argument(call, 1, "new_name"))];
      if (from && to && !state.tables.has(`${context.app}.${from.toLowerCase()}`))
        emit([{ kind: "renameTable", from: tableOf(context, from), to: tableOf(context, to) }]);
      return;
    }
    case "AddField": {
      const name = pyString(argument(call, 1, "name"));
      const field = pyCall(argument(call, 2, "field"));
      if (!table || !name || !field) return;
      const read = readField(context, name, field);
      state.fields.set(`${table}.${name}`, read);
      const column = addedColumn(read, field);
      if (column) emit([{ kind: "addColumn", table, column }, ...fieldIndexes(table, read), ...foreignKey(table, read)]);
      return;
    }
    case "AlterField": {
      const name = pyString(argument(call, 1, "name"));
      const field = pyCall(argument(call, 2, "field"));
      if (!table || !name || !field) return;
      const before = state.fields.get(`${table}.${name}`);
      const after = readField(context, name, field);
      state.fields.set(`${table}.${name}`, after);
      if (!before || before.column !== after.column) return;
      const ops: OrmOperation[] = [];
      if (before.type && after.type && before.type !== after.type && !widens(before.type, after.type)) {
        ops.push({ kind: "alterType", table, column: after.column, type: after.type });
      }
      if (before.nullable && !after.nullable) ops.push({ kind: "setNotNull", table, column: after.column });
      if (!before.nullable && after.nullable) ops.push({ kind: "dropNotNull", table, column: after.column });
      if (!before.unique && after.unique) ops.push({ kind: "addUnique", table, columns: [after.column] });
      else if (!before.indexed && !before.unique && after.indexed && !after.unique) ops.push({ kind: "createIndex", table, columns: [after.column] });
      if (!before.references && after.references) ops.push(...foreignKey(table, after));
      emit(ops);
      return;
    }
    case "RemoveField": {
      const name = pyString(argument(call, 1, "name"));
      if (!table || !name) return;
      const known = state.fields.get(`${table}.${name}`);
      state.fields.delete(`${table}.${name}`);
      emit([{ kind: "dropColumn", table, column: known?.column ?? name }]);
      return;
    }
    case "RenameField": {
      const [from, to] = [pyString(argument(call, 1, "old_name")), pyString(argument(call, 2, "new_name"))];
      if (!table || !from || !to) return;
      const known = state.fields.get(`${table}.${from}`);
      const relation = known !== undefined && known.column === `${from}_id`;
      if (known) {
        state.fields.delete(`${table}.${from}`);
        state.fields.set(`${table}.${to}`, { ...known, column: relation ? `${to}_id` : to });
      }
      emit([{ kind: "renameColumn", table, from: relation ? `${from}_id` : from, to: relation ? `${to}_id` : to }]);
      return;
    }
    case "AddIndex":
    case "AddIndexConcurrently": {
      const index = pyCall(argument(call, 1, "index"));
      const fields = pyNames(index?.keywords.get("fields"));
      if (!table || !index || !fields || index.positional.length > 0 || index.keywords.has("condition") || index.keywords.has("expressions")) return;
      const name = pyString(index.keywords.get("name"));
      const columns = fields.map((field) => {
        const plain = field.replace(/^-/, "");
        return state.fields.get(`${table}.${plain}`)?.column ?? plain;
      });
      const using = index.name === "Index" ? undefined : /^(Gin|Gist|Brin|Hash|SpGist|Bloom)Index$/.exec(index.name)?.[1]?.toLowerCase();
      if (index.name !== "Index" && !using) return;
      emit([
        { kind: "createIndex", table, columns, ...(name ? { name } : {}), ...(using ? { using } : {}), concurrently: call.name === "AddIndexConcurrently" },
      ]);
      return;
    }
    case "RemoveIndex":
    case "RemoveIndexConcurrently": {
      const name = pyString(argument(call, 1, "name"));
      if (name) emit([{ kind: "dropIndex", name, concurrently: call.name === "RemoveIndexConcurrently" }]);
      return;
    }
    case "AddConstraint": {
      const constraint = pyCall(argument(call, 1, "constraint"));
      const fields = pyNames(constraint?.keywords.get("fields"));
      const name = pyString(constraint?.keywords.get("name"));
      if (!table || constraint?.name !== "UniqueConstraint" || !fields || constraint.keywords.has("condition") || constraint.keywords.has("expressions"))
        return;
      const columns = fields.map((field) => state.fields.get(`${table}.${field}`)?.column ?? field);
      emit([{ kind: "addUnique", table, columns, ...(name ? { name } : {}) }]);
      return;
    }
    case "RunSQL":
      runSql(context, argument(call, 0, "sql"));
      return;
    default:
      return;
  }
}

/** RunSQL's forward SQL: a string, or a list of strings (not `(sql, params)` pairs). */
function runSql(context: Context, sql: PyValue | undefined): void {
  if (!sql) return;
  const text = sql.text.trim();
  const items = text.startsWith("[") ? listItems(sql) : [sql];
  for (const item of items) {
    const content = pyString(item);
    const statement = content === undefined ? undefined : rawStatement(context.line(pyStringStart(item)), content);
    if (statement) context.out.push(statement);
  }
}

function listItems(value: PyValue): PyValue[] {
  const masked = value.text.replace(/(["'])(?:\\.|(?!\1)[^\\])*\1/g, (literal) => literal.charAt(0) + " ".repeat(literal.length - 2) + literal.charAt(0));
  const open = masked.search(/[[(]/);
  const close = open < 0 ? -1 : matchingBracket(masked, open);
  if (close < 0) return [];
  return splitArguments(masked, open + 1, close).map((part) => ({ text: value.text.slice(part.start, part.end), start: value.start + part.start }));
}

/** CreateModel's `fields=[("name", models.X(…)), …]`. */
function fieldPairs(fields: PyValue | undefined): Array<[string, PyCall]> {
  if (!fields) return [];
  const pairs: Array<[string, PyCall]> = [];
  for (const item of listItems(fields)) {
    const [name, field] = listItems(item);
    const fieldName = pyString(name);
    const call = pyCall(field);
    if (fieldName && call) pairs.push([fieldName, call]);
  }
  return pairs;
}

/** `options={"db_table": "x", …}` → the value of one key. */
function optionsEntry(options: PyValue | undefined, key: string): PyValue | undefined {
  if (!options || !options.text.trim().startsWith("{")) return undefined;
  for (const entry of listItems(options)) {
    const colon = entry.text.indexOf(":");
    if (colon > 0 && pyString(entry.text.slice(0, colon)) === key) return { text: entry.text.slice(colon + 1), start: entry.start + colon + 1 };
  }
  return undefined;
}

/** The operations of an `operations = [ … ]` list, SeparateDatabaseAndState's database side included. */
function operationsOf(text: string, masked: string, open: number, close: number): PyCall[] {
  const calls: PyCall[] = [];
  for (const item of splitArguments(masked, open + 1, close)) {
    const call = pyCallAt(text, masked, item.start);
    if (!call) continue;
    if (call.name !== "SeparateDatabaseAndState") {
      calls.push(call);
      continue;
    }
    const database = call.keywords.get("database_operations") ?? call.positional[1];
    const start = database ? database.start + (database.text.length - database.text.trimStart().length) : -1;
    if (start >= 0 && masked.charAt(start) === "[") calls.push(...operationsOf(text, masked, start, matchingBracket(masked, start)));
  }
  return calls;
}

/**
 * The statements of the operations list whose `[` is at `open`, in order; `app` is the app label
 * (the folder above `migrations/`), `state` what the app's earlier migrations set up (updated).
 */
export function djangoStatements(source: SourceText, masked: string, open: number, app: string, state: DjangoSchemaState): GeneratedStatement[] {
  const close = matchingBracket(masked, open);
  if (close < 0) return [];
  const version = /Generated by Django (\d+)\.(\d+)/.exec(source.text);
  const identity = !version || Number(version[1]) * 100 + Number(version[2]) >= 401;
  const context: Context = { app, state, identity, line: (offset) => source.position(offset).line, out: [] };
  for (const call of operationsOf(source.text, masked, open, close)) operation(context, call);
  return context.out;
}
