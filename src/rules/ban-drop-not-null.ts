import { defineRule } from "./types.js";

/**
 * DROP NOT NULL is cheap for the database, but a promise to every reader is withdrawn: code,
 * reports and other services that assume a value start meeting NULLs, and the change is hard to
 * take back once NULLs are written.
 */
export default defineRule({
  id: "ban-drop-not-null",
  meta: {
    severity: "note",
    category: "compat",
    description: "ALTER COLUMN … DROP NOT NULL lets NULLs reach readers that do not expect them.",
    messages: {
      dropNotNull:
        "Dropping NOT NULL on {{columns}} lets NULLs in: readers that assume a value (application code, reports, other services) can fail on them, and SET NOT NULL later needs a full scan.",
    },
  },
  subcommands: ["AT_DropNotNull"],
  alterTable({ target: table, commands, report }) {
    const columns = commands.filter((c) => c.subtype === "AT_DropNotNull" && c.name).map((c) => `${table}.${c.name ?? ""}`);
    if (columns.length === 0) return;
    report({
      messageId: "dropNotNull",
      data: { columns: columns.join(", ") },
      help: "Make sure every reader handles NULL before writing any. If only some rows lack a value, a marker value or a separate table keeps the column required.",
    });
  },
});
