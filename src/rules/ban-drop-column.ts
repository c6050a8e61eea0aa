import { defineRule } from "./types.js";

/**
 * DROP COLUMN deletes the column's data, and application versions still running when it goes
 * (during a rolling deploy, or after a rollback of the code) fail on every query that names it;
 * ORMs that cache the column list fail even on queries that do not.
 */
export default defineRule({
  id: "ban-drop-column",
  meta: {
    severity: "note",
    category: "destructive",
    description: "DROP COLUMN deletes data and breaks application versions that still use the column.",
    messages: {
      drop: "Dropping {{columns}} from {{table}} deletes {{its}} data for good, and application versions still running that read or write {{it}} fail until they are replaced.",
    },
  },
  subcommands: ["AT_DropColumn"],
  alterTable({ target: table, commands, report }) {
    const columns = commands.filter((c) => c.subtype === "AT_DropColumn" && c.name).map((c) => c.name ?? "");
    if (columns.length === 0) return;
    const plural = columns.length > 1;
    report({
      messageId: "drop",
      data: { columns: `${plural ? "columns" : "column"} ${columns.join(", ")}`, table, its: plural ? "their" : "its", it: plural ? "them" : "it" },
      help: "Drop in two releases: first stop reading and writing the column (e.g. Rails `ignored_columns`) and deploy that; drop it in a later migration, after a backup if the data may be needed.",
    });
  },
});
