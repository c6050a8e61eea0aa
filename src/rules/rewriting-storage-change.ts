import type { AlterTableType } from "libpg-query";
import { defineRule } from "./types.js";

/** What each subcommand does to the table's storage, in the message's words. */
const CHANGES: Partial<Record<AlterTableType, (name: string | undefined) => { what: string; how: string }>> = {
  AT_SetLogged: () => ({ what: "SET LOGGED", how: "writes every row again, into the write-ahead log too (nothing happens if it is already logged)" }),
  AT_SetUnLogged: () => ({
    what: "SET UNLOGGED",
    how: "writes every row again into new storage; afterwards the table is emptied by a crash and not replicated",
  }),
  AT_SetAccessMethod: (name) => ({
    what: `SET ACCESS METHOD ${name ?? "DEFAULT"}`,
    how: `writes every row again in the new access method (nothing happens if it already uses ${name ?? "the default"})`,
  }),
  AT_SetTableSpace: (name) => ({
    what: `SET TABLESPACE ${name ?? "?"}`,
    how: `copies every file of the table into ${name ?? "the new tablespace"} (nothing happens if it is already there; its indexes stay where they are)`,
  }),
};

/**
 * SET LOGGED / SET UNLOGGED / SET ACCESS METHOD rewrite the table, and SET TABLESPACE copies its
 * files, all under ACCESS EXCLUSIVE (ATRewriteTables and ATExecSetTableSpace in
 * src/backend/commands/tablecmds.c; proven by relfilenode and pg_locks in
 * test/sql/rewrite-facts-pglite.test.ts).
 */
export default defineRule({
  id: "rewriting-storage-change",
  meta: {
    severity: "error",
    category: "locking",
    description: "ALTER TABLE … SET LOGGED / UNLOGGED / ACCESS METHOD / TABLESPACE rewrites or copies an existing table under ACCESS EXCLUSIVE.",
    messages: {
      rewrite:
        "ALTER TABLE {{table}} {{what}} takes ACCESS EXCLUSIVE on {{table}} and {{how}}: every read and write on {{table}} waits until it is done{{estimate}}.",
    },
  },
  subcommands: ["AT_SetLogged", "AT_SetUnLogged", "AT_SetAccessMethod", "AT_SetTableSpace"],
  alterTable({ target, commands, report }) {
    for (const command of commands) {
      const change = command.subtype && CHANGES[command.subtype]?.(command.name);
      if (!change) continue;
      report({
        messageId: "rewrite",
        data: change,
        help:
          command.subtype === "AT_SetTableSpace"
            ? "Move the table online with pg_repack --tablespace outside the migration, or run it in a maintenance window."
            : "Build a new table with the wanted storage, copy the rows over in batches, and swap the names in a short transaction; or run it in a maintenance window.",
        table: target,
        work: "rewrite",
      });
    }
  },
});
