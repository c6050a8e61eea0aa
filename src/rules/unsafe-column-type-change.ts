import type { TypeName } from "libpg-query";
import { bodyOf } from "../sql/nodes.js";
import { typeModifiers, typeNameOf } from "../sql/column-types.js";
import { alterCommands, upStatements } from "./lock-helpers.js";
import { defineRule } from "./types.js";

interface ColumnType {
  name: string;
  mods: number[];
}

const DISPLAY: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  bpchar: "char",
};

function typeOf(type: TypeName | undefined): ColumnType | undefined {
  const name = typeNameOf(type);
  return name ? { name, mods: typeModifiers(type) } : undefined;
}

function show(type: ColumnType): string {
  const name = DISPLAY[type.name] ?? type.name;
  return type.mods.length > 0 ? `${name}(${type.mods.join(",")})` : name;
}

/** numeric(p) means numeric(p, 0). */
function scale(type: ColumnType): number {
  return type.mods[1] ?? 0;
}

/**
 * Whether changing `from` to `to` skips the rewrite: the binary-coercible changes that keep every
 * stored value valid. "unless …" when it depends on something the migration does not show.
 */
function change(from: ColumnType, to: ColumnType): { safe: true } | { safe: false; unless?: string } {
  const [n] = from.mods;
  const [m] = to.mods;
  if (from.name === to.name && from.mods.join() === to.mods.join()) return { safe: true };
  if (from.name === "varchar" && (to.name === "text" || (to.name === "varchar" && (m === undefined || (n !== undefined && m >= n))))) {
    return { safe: true };
  }
  if (from.name === "text" && to.name === "varchar" && m === undefined) return { safe: true };
  if (from.name === "numeric" && to.name === "numeric" && n !== undefined && (m === undefined || (m >= n && scale(to) === scale(from)))) {
    return { safe: true };
  }
  if (from.name === "varbit" && to.name === "varbit" && (m === undefined || (n !== undefined && m >= n))) return { safe: true };
  if (from.name === "cidr" && to.name === "inet") return { safe: true };
  if (from.name === "timestamp" && to.name === "timestamptz") return { safe: false, unless: " unless the session TimeZone is UTC" };
  return { safe: false };
}

/** When the old type is unknown: the old types for which the change would need no rewrite. */
function unlessUnknown(to: ColumnType): string {
  const [m] = to.mods;
  switch (to.name) {
    case "varchar":
      return m === undefined ? " unless the old type is varchar or text" : ` unless the old type is varchar(n) with n ≤ ${m}`;
    case "text":
      return " unless the old type is varchar";
    case "numeric":
      return m === undefined ? " unless the old type is numeric(p, s)" : ` unless the old type is numeric(p, ${scale(to)}) with p ≤ ${m}`;
    case "varbit":
      return m === undefined ? " unless the old type is varbit(n)" : ` unless the old type is varbit(n) with n ≤ ${m}`;
    case "inet":
      return " unless the old type is cidr";
    case "timestamptz":
      return " unless the old type is timestamp and the session TimeZone is UTC";
    default:
      return "";
  }
}

/**
 * ALTER COLUMN … TYPE rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, except
 * for a few binary-coercible changes. The statement does not say the old type: it is known only
 * when the column was added (or retyped) earlier in the same migration; otherwise the message
 * names the old types that would make the change safe.
 */
export default defineRule({
  id: "unsafe-column-type-change",
  meta: {
    severity: "warning",
    category: "locking",
    description: "ALTER COLUMN … TYPE on an existing table rewrites it and its indexes under ACCESS EXCLUSIVE.",
    messages: {
      rewrite:
        "ALTER COLUMN {{column}} TYPE {{type}}{{from}} takes ACCESS EXCLUSIVE on {{table}} and rewrites the table and rebuilds its indexes{{unless}}: every read and write on {{table}} waits for the whole rewrite{{estimate}}. Running code that reads or writes the column may also break on the new type.",
    },
  },
  migration({ sections, report }) {
    /** Column types set earlier in the migration, by "table.column". */
    const known = new Map<string, ColumnType>();
    for (const statement of upStatements(sections)) {
      const { table: name, commands } = alterCommands(statement);
      if (!name) continue;
      for (const command of commands) {
        const column = bodyOf(command.def, "ColumnDef");
        const type = typeOf(column?.typeName);
        if (command.subtype === "AT_AddColumn" && column?.colname && type) known.set(`${name}.${column.colname}`, type);
        if (command.subtype !== "AT_AlterColumnType" || !command.name || !type) continue;
        const key = `${name}.${command.name}`;
        const from = known.get(key);
        known.set(key, type);
        if (statement.createdRelations.has(name)) continue;
        // USING with anything but the column itself computes new values: always a rewrite.
        const using = column?.raw_default;
        const plainUsing = bodyOf(bodyOf(using, "ColumnRef")?.fields?.at(-1), "String")?.sval === command.name;
        let unless: string;
        if (using && !plainUsing) unless = "";
        else if (from) {
          const verdict = change(from, type);
          if (verdict.safe) continue;
          unless = verdict.unless ?? "";
        } else unless = unlessUnknown(type);
        report({
          messageId: "rewrite",
          data: {
            column: command.name,
            type: show(type),
            from: from ? ` (from ${show(from)})` : "",
            unless,
          },
          help: "Add a new column of the new type, keep both in sync (trigger or application), backfill it in batches, switch readers to it, then drop the old column. Type changes that need no rewrite: varchar(n) to a larger n, varchar or text; numeric(p, s) to a larger p; varbit(n) to a larger n; cidr to inet.",
          path: statement.path,
          line: statement.line,
          endLine: statement.endLine,
          table: name,
          work: "rewrite",
        });
      }
    }
  },
});
