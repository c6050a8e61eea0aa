import type { Argument } from "./brackets.js";
import { type JsCode, jsNumber, jsString } from "./js-orm-values.js";

/** Sequelize data types and the PostgreSQL types its postgres dialect writes for them. */
const TYPES: Record<string, string> = {
  STRING: "varchar(255)",
  CHAR: "char(255)",
  TEXT: "text",
  CITEXT: "citext",
  INTEGER: "integer",
  BIGINT: "bigint",
  SMALLINT: "smallint",
  FLOAT: "float",
  REAL: "real",
  DOUBLE: "double precision",
  DECIMAL: "decimal",
  BOOLEAN: "boolean",
  DATE: "timestamp with time zone",
  DATEONLY: "date",
  TIME: "time",
  UUID: "uuid",
  JSON: "json",
  JSONB: "jsonb",
  BLOB: "bytea",
  INET: "inet",
  TSVECTOR: "tsvector",
};

/** `(n)` / `(p, s)` arguments of STRING(n), DECIMAL(p, s). */
const SIZED = new Set(["STRING", "CHAR", "DECIMAL"]);

/**
 * The PostgreSQL type of `Sequelize.STRING`, `DataTypes.STRING(100)`, `Sequelize.ARRAY(…)` or a
 * type written as a string; `enumName` names the type Sequelize creates for an ENUM column
 * (`enum_<table>_<column>`). Undefined for what is not read.
 */
export function sequelizeType(code: JsCode, argument: Argument | undefined, enumName: string): string | undefined {
  if (!argument) return undefined;
  const written = jsString(code, argument);
  if (written) return /^[\w\s(),]+$/.test(written.value) ? written.value : undefined;
  const match = /^(?:[\w$]+\.)*([A-Z]+)(?:\s*\(([\s\S]*)\))?$/.exec(argument.masked);
  if (!match) return undefined;
  const name = match[1] ?? "";
  const inside = match[2];
  if (name === "ENUM") return `"${enumName}"`;
  if (name === "ARRAY") {
    if (inside === undefined) return undefined;
    const start = argument.start + argument.masked.indexOf("(") + 1;
    const element = sequelizeType(code, { start, end: argument.end - 1, masked: code.masked.slice(start, argument.end - 1).trim() }, enumName);
    return element ? `${element}[]` : undefined;
  }
  const base = TYPES[name];
  if (!base) return undefined;
  if (inside === undefined || inside.trim() === "") return base;
  if (!SIZED.has(name)) return undefined;
  const sizes = inside.split(",").map((size) => jsNumber({ start: 0, end: 0, masked: size.trim() }));
  if (!sizes.every((size) => size !== undefined)) return undefined;
  return `${base.replace(/\(.*\)$/, "")}(${sizes.join(", ")})`;
}

/**
 * A `defaultValue` the database sees: literals, `Sequelize.fn('now')`, `Sequelize.literal('…')`.
 * `Sequelize.NOW` and `UUIDV4` are filled in by Sequelize in JavaScript, not by a column default,
 * and anything else is not read: both undefined.
 */
export function sequelizeDefault(code: JsCode, argument: Argument | undefined): string | undefined {
  if (!argument) return undefined;
  const text = argument.masked;
  if (/^(?:true|false|null)$/.test(text) || jsNumber(argument) !== undefined) return text;
  const literal = jsString(code, argument);
  if (literal) return `'${literal.value.replace(/'/g, "''")}'`;
  const call = /^(?:[\w$]+\.)*(fn|literal)\s*\(\s*(["'`])\s*\2\s*\)$/.exec(text);
  if (!call) return undefined;
  const open = argument.start + text.indexOf("(") + 1;
  const inner = code.masked.slice(open, argument.end - 1);
  const value = jsString(code, {
    start: open + (inner.length - inner.trimStart().length),
    end: argument.end - 1 - (inner.length - inner.trimEnd().length),
    masked: inner.trim(),
  });
  if (!value) return undefined;
  if (call[1] === "literal") return value.value;
  return /^\w+$/.test(value.value) ? `${value.value}()` : undefined;
}
