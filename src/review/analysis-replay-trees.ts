import type { Node } from "libpg-query";
import type { AnalyzedStatement } from "../rules/types.js";

/**
 * The parts of a statement's syntax tree that the replay reads, so that the replay's analysis can
 * run in the analysis pool and cross to the main thread as little data (issue 18: the replay
 * parsed whole migration folders on the event loop). What src/replay reads of a tree:
 *  - replay-migrations.ts: a TransactionStmt's `kind` (BEGIN/COMMIT in the SQL), and every role a
 *    statement names (a RoleSpec's `rolename` and `roletype`, anywhere but inside CREATE ROLE);
 *  - refused-statements.ts: a CopyStmt's `is_program` and `filename`, and the `funcname` of every
 *    function call anywhere in the tree;
 *  - verify.ts: a CreateExtensionStmt's `extname`.
 * Those three statement kinds cross whole (they are short). Any other tree crosses pruned to the
 * paths that lead to a role or a function's name: the same objects under the same keys, in the
 * same order, so a walk that looks for roles or calls finds the same ones in the same order, and
 * an INSERT of plain values crosses as `{ InsertStmt: {} }`. A new read of the trees in src/replay
 * must be added here: test/review/analysis-replay-trees.test.ts replays both ways and compares.
 */

/** Statement kinds whose whole tree the replay reads. */
const WHOLE: ReadonlySet<string> = new Set(["TransactionStmt", "CopyStmt", "CreateExtensionStmt"]);

/** Keys kept with their whole value wherever they are: a role's name and type, a called function's name. */
const KEPT_KEYS: ReadonlySet<string> = new Set(["rolename", "roletype", "funcname"]);

/** The tree of `statement` as the replay needs it (see above). */
export function replayTree(statement: Pick<AnalyzedStatement, "kind" | "node">): Node {
  if (WHOLE.has(statement.kind)) return statement.node;
  return (pruned(statement.node) ?? { [statement.kind]: {} }) as Node;
}

function pruned(value: unknown): unknown {
  if (Array.isArray(value)) {
    const kept = value.map(pruned).filter((item) => item !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  let kept: Record<string, unknown> | undefined;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const part = KEPT_KEYS.has(key) ? inner : pruned(inner);
    if (part === undefined) continue;
    kept ??= {};
    kept[key] = part;
  }
  return kept;
}
