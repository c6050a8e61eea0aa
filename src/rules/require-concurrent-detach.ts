import { bodyOf } from "../sql/nodes.js";
import { leaveTransactionAdvice, statementFix } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table and on the
 * partition: every query on the whole table waits. CONCURRENTLY (PostgreSQL 14+) takes SHARE UPDATE
 * EXCLUSIVE on the parent instead.
 */
export default defineRule({
  id: "require-concurrent-detach",
  meta: {
    severity: "warning",
    category: "locking",
    description: "DETACH PARTITION without CONCURRENTLY blocks every read and write on the partitioned table.",
    messages: {
      blocking:
        "DETACH PARTITION {{partition}} without CONCURRENTLY takes ACCESS EXCLUSIVE on {{table}} and on {{partition}}: every read and write on the whole partitioned table waits until the migration's transaction ends.",
    },
  },
  subcommands: ["AT_DetachPartition"],
  alterTable({ migration, statement, target: parent, commands, report, config }) {
    const detaches = commands.filter((c) => c.subtype === "AT_DetachPartition");
    for (const command of detaches) {
      const detach = bodyOf(command.def, "PartitionCmd");
      if (!detach || detach.concurrent) continue;
      const partition = detach.name?.relname ?? "the partition";
      const supported = config.postgresVersion >= 14;
      const fix = supported && commands.length === 1 ? statementFix(statement, "Add CONCURRENTLY", `${statement.text.trimEnd()} CONCURRENTLY`) : undefined;
      report({
        messageId: "blocking",
        data: { table: parent, partition },
        help: supported
          ? "Use ALTER TABLE … DETACH PARTITION … CONCURRENTLY, in a migration that does not run in a transaction: it takes only SHARE UPDATE EXCLUSIVE on the parent, so reads and writes go on. It is not allowed when the table has a DEFAULT partition." +
            leaveTransactionAdvice(migration, statement)
          : "DETACH PARTITION … CONCURRENTLY needs PostgreSQL 14. Until then, run it with a short lock_timeout (and retry) when traffic is low.",
        table: parent,
        ...(fix ? { fix } : {}),
      });
    }
  },
});
