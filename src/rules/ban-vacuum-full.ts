import type { ClusterStmt, Node, VacuumStmt } from "libpg-query";
import { nodeOf } from "./ast.js";
import { estimateClause, largeTableSeverity, optionOn } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE: no reads, no writes until the
 * copy is done.
 */
export default defineRule({
  id: "ban-vacuum-full",
  meta: {
    severity: "warning",
    category: "locking",
    description: "VACUUM FULL and CLUSTER rewrite tables under ACCESS EXCLUSIVE.",
    messages: {
      rewrite: "{{what}} rewrites {{target}} under ACCESS EXCLUSIVE: every read and write on it waits for the whole rewrite{{estimate}}.",
    },
  },
  statement({ statement, report, table, config }) {
    const vacuum = nodeOf<VacuumStmt>(statement.node, "VacuumStmt");
    const cluster = nodeOf<ClusterStmt>(statement.node, "ClusterStmt");
    let what: string;
    let relations: Array<string | undefined>;
    if (vacuum?.is_vacuumcmd && optionOn(vacuum.options, "full")) {
      what = "VACUUM FULL";
      relations = (vacuum.rels ?? []).map((r: Node) => nodeOf<{ relation?: { relname?: string } }>(r, "VacuumRelation")?.relation?.relname);
    } else if (cluster) {
      what = "CLUSTER";
      relations = cluster.relation ? [cluster.relation.relname] : [];
    } else {
      return;
    }
    const help = `Use pg_repack, which rebuilds the table online with only brief locks${config.postgresVersion >= 19 ? ", or REPACK (CONCURRENTLY)" : " (or REPACK (CONCURRENTLY) on PostgreSQL 19)"}; a plain VACUUM makes dead space reusable without the lock.`;
    if (relations.length === 0) {
      report({
        messageId: "rewrite",
        data: { what, target: what === "CLUSTER" ? "every previously clustered table" : "every table of the database", estimate: "" },
        help,
      });
      return;
    }
    const tables = relations.filter((r): r is string => !!r && !statement.createdRelations.has(r));
    if (tables.length === 0) return;
    const facts = tables.map((t) => table(t));
    const rows = facts.reduce((sum, f) => sum + (f?.rows ?? 0), 0);
    const known = facts.some((f) => f?.rows !== undefined);
    report({
      messageId: "rewrite",
      data: { what, target: tables.join(", "), estimate: estimateClause("rewrite", known ? { rows, large: false } : undefined) },
      help,
      ...largeTableSeverity(facts.some((f) => f?.large) ? { large: true } : undefined),
    });
  },
});
