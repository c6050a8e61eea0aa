import { addedKeyConstraint } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * ADD UNIQUE builds its unique index inside ALTER TABLE, under ACCESS EXCLUSIVE: the table is
 * closed to reads and writes for the whole build. Building the index concurrently first and
 * attaching it with USING INDEX avoids that.
 */
export default defineRule({
  id: "ban-add-unique-constraint",
  meta: {
    severity: "error",
    category: "locking",
    description: "ADD UNIQUE on an existing table builds its index under ACCESS EXCLUSIVE.",
    messages: {
      blocking:
        "{{what}} builds a unique index on {{table}} under ACCESS EXCLUSIVE: every read and write on {{table}} waits for the whole index build{{estimate}}.",
    },
  },
  subcommands: ["AT_AddConstraint", "AT_AddColumn"],
  alterTable({ target, commands, report }) {
    for (const command of commands) {
      const what = addedKeyConstraint(command, "CONSTR_UNIQUE", "UNIQUE");
      if (!what) continue;
      report({
        messageId: "blocking",
        data: { what },
        table: target,
        work: "index",
        help: `Build the index first with CREATE UNIQUE INDEX CONCURRENTLY <name> ON ${target} (…), in a migration that does not run in a transaction, then attach it: ALTER TABLE ${target} ADD CONSTRAINT <name> UNIQUE USING INDEX <name> (a brief lock, no build, no scan).`,
      });
    }
  },
});
