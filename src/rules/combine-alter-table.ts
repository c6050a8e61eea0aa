import type { AlterTableCmd } from "libpg-query";
import { columnType } from "../sql/column-types.js";
import { alterCommandsOf, bodyOf, constraintsOf, strings } from "../sql/nodes.js";
import type { AnalyzedStatement } from "./types.js";
import { defineRule } from "./types.js";

/**
 * Several ALTER TABLEs on one existing table that each read the whole table, where one statement
 * would read it once. Postgres runs an ALTER TABLE's subcommands in phases and reads the table
 * once at the end: one rewrite for all the rewriting subcommands (a volatile default, a type
 * change that rewrites, SET LOGGED, …), during which every new NOT NULL and CHECK is checked; and
 * without a rewrite, one scan that checks all of them together. Two statements mean two passes,
 * each under its own ACCESS EXCLUSIVE lock. Proven in test/rules/combine-alter-table.test.ts
 * (a table_rewrite event trigger counts one rewrite for two type changes in one statement, two
 * for the same changes in two statements).
 *
 * Left out, because combining does not save a pass: VALIDATE CONSTRAINT (its point is a separate
 * statement under a weaker lock), foreign keys (each is checked with a query of its own), and
 * PRIMARY KEY / UNIQUE (each builds its own index). An ALTER TABLE whose rewrite the lock model
 * only assumes (a type change of a column whose type is not known, or timestamp ↔ timestamptz after
 * SET timezone = 'UTC') is left out too. A statement
 * in between that touches the table (a backfill before SET NOT NULL, an index) starts afresh:
 * the later ALTER may depend on it.
 */

type Pass = "rewrites" | "scans";

/** A subcommand checked in the pass of its statement: a new NOT NULL or a validated CHECK. */
function checkedInPass(cmd: AlterTableCmd): boolean {
  switch (cmd.subtype) {
    case "AT_SetNotNull":
      return true;
    case "AT_AddConstraint": {
      const constraint = bodyOf(cmd.def, "Constraint");
      return (constraint?.contype === "CONSTR_CHECK" && constraint.skip_validation !== true) || constraint?.contype === "CONSTR_NOTNULL";
    }
    case "AT_AddColumn":
      return constraintsOf(bodyOf(cmd.def, "ColumnDef")?.constraints).some((c) => c.contype === "CONSTR_CHECK" && c.skip_validation !== true);
    default:
      return false;
  }
}

const TIMESTAMPS: ReadonlySet<string> = new Set(["timestamp", "timestamptz"]);

/** A type change between timestamp and timestamptz, which Postgres 12+ makes without a rewrite when the session time zone is UTC. */
function timestampChange(cmd: AlterTableCmd): boolean {
  const column = bodyOf(cmd.def, "ColumnDef");
  const using = strings(bodyOf(column?.raw_default, "ColumnRef")?.fields).at(-1);
  const plain = column?.raw_default === undefined || using === cmd.name;
  return cmd.subtype === "AT_AlterColumnType" && plain && TIMESTAMPS.has(columnType(column?.typeName).name);
}

/** `SET timezone = 'UTC'` (or `SET TIME ZONE 'UTC'`): true; another zone or RESET: false; anything else: undefined. */
function setsUtc(statement: AnalyzedStatement): boolean | undefined {
  const set = bodyOf(statement.node, "VariableSetStmt");
  if (set?.name?.toLowerCase() !== "timezone") return undefined;
  const zone = bodyOf(set.args?.[0], "A_Const")?.sval?.sval ?? "";
  return /^(?:etc\/)?utc$/i.test(zone);
}

/**
 * The rewrite is the lock model's judgement, unless it only assumed it for a type change it could
 * not check, or the migration set the session time zone to UTC before a timestamp ↔ timestamptz
 * change (no rewrite then: proven in the test).
 */
function knownRewrite(statement: AnalyzedStatement, commands: readonly AlterTableCmd[], utc: boolean): boolean {
  if (!statement.locks.rewrites) return false;
  if (utc && commands.some(timestampChange)) return false;
  const assumed = (statement.locks.notes ?? []).some((note) => note.includes("type is not known"));
  return !(assumed && commands.some((cmd) => cmd.subtype === "AT_AlterColumnType"));
}

function passOf(statement: AnalyzedStatement, utc: boolean): { table: string; pass: Pass } | undefined {
  const alter = bodyOf(statement.node, "AlterTableStmt");
  const table = alter?.relation?.relname;
  if (!alter || !table || alter.objtype !== "OBJECT_TABLE" || statement.createdRelations.has(table)) return undefined;
  const commands = alterCommandsOf(alter);
  if (knownRewrite(statement, commands, utc)) return { table: table.toLowerCase(), pass: "rewrites" };
  if (commands.some(checkedInPass)) return { table: table.toLowerCase(), pass: "scans" };
  return undefined;
}

export default defineRule({
  id: "combine-alter-table",
  meta: {
    severity: "note",
    category: "locking",
    description: "Several ALTER TABLEs on one table that each rewrite or scan it, where one ALTER TABLE would do it once.",
    messages: {
      separate:
        "This ALTER TABLE {{pass}} {{table}}, which line {{first}} already {{firstPass}}: each statement reads the whole table again under its own ACCESS EXCLUSIVE lock, where one ALTER TABLE with both subcommands reads it once.",
    },
  },
  migration({ sections, report }) {
    // The first ALTER TABLE that reads each table, while nothing else has touched it since.
    const open = new Map<string, { statement: AnalyzedStatement; pass: Pass }>();
    for (const { section, statements } of sections) {
      if (section.direction !== "up") continue;
      let utc = false;
      for (const statement of statements) {
        utc = setsUtc(statement) ?? utc;
        const found = passOf(statement, utc);
        if (!found) {
          if (statement.kind !== "AlterTableStmt") for (const lock of statement.locks.locks) open.delete(lock.relation.toLowerCase());
          continue;
        }
        const first = open.get(found.table);
        if (!first) {
          open.set(found.table, { statement, pass: found.pass });
          continue;
        }
        report({
          messageId: "separate",
          data: { table: found.table, pass: found.pass, first: first.statement.line, firstPass: first.pass === "rewrites" ? "rewrote" : "scanned" },
          help: `Write the subcommands of lines ${first.statement.line} and ${statement.line} as one statement, separated by commas: ALTER TABLE ${found.table} <first>, <second>;`,
          path: statement.path,
          line: statement.line,
          endLine: statement.endLine,
        });
      }
    }
  },
});
