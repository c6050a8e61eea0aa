import { bodiesOf, bodyOf } from "../sql/nodes.js";
import { optionOn } from "../sql/options.js";
import { defineRule } from "./types.js";

/**
 * VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE: no reads, no writes until the
 * copy is done.
 */
export default defineRule({
  id: "ban-vacuum-full",
  meta: {
    severity: "error",
    category: "locking",
    description: "VACUUM FULL and CLUSTER rewrite tables under ACCESS EXCLUSIVE.",
    messages: {
      rewrite: "{{what}} rewrites {{target}} under ACCESS EXCLUSIVE: every read and write on it waits for the whole rewrite{{estimate}}.",
    },
  },
  nodes: ["VacuumStmt", "ClusterStmt"],
  statement({ statement, report, config }) {
    const vacuum = bodyOf(statement.node, "VacuumStmt");
    const cluster = bodyOf(statement.node, "ClusterStmt");
    let what: string;
    let relations: Array<string | undefined>;
    if (vacuum?.is_vacuumcmd && optionOn(vacuum.options, "full")) {
      what = "VACUUM FULL";
      relations = bodiesOf(vacuum.rels, "VacuumRelation").map((r) => r.relation?.relname);
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
    report({ messageId: "rewrite", data: { what, target: tables.join(", ") }, help, table: tables, work: "rewrite" });
  },
});
