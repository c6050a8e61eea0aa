import type { AlterTableCmd, AlterTableStmt, Constraint, DefElem, Node, RangeVar } from "libpg-query";

/**
 * Typed access to libpg-query's syntax tree, the one way every reader of the tree unwraps a node.
 * libpg-query 18 ships the tree's types (@pgsql/types): `Node` is a union of one-key objects,
 * `{ IndexStmt: IndexStmt } | { DropStmt: DropStmt } | …`, so the kind names are checked by the
 * compiler: `bodyOf(node, "IndexStmnt")` does not compile, and the body's type follows the kind.
 */

type KeysOf<T> = T extends unknown ? keyof T : never;

/** Every node kind the parser produces: "IndexStmt", "AlterTableCmd", "String", … */
export type NodeKind = KeysOf<Node>;

/** The body of a node of kind K: `NodeBody<"IndexStmt">` is `IndexStmt`. */
export type NodeBody<K extends NodeKind> = Extract<Node, Record<K, unknown>>[K];

export function nodeKind(node: Node): NodeKind | undefined {
  return Object.keys(node)[0] as NodeKind | undefined;
}

/**
 * The last node bodyOf was asked about and its kind. Readers ask one node for kind after kind
 * (is it a CREATE TABLE? an ALTER TABLE? an INDEX? …): `kind in node` on trees of a hundred shapes
 * is a slow generic lookup each time, where the kind, read once, is one string comparison.
 */
let lastNode: Node | undefined;
let lastKind: string | undefined;

/** The body of `node` when it is of `kind`, else undefined: `bodyOf(statement.node, "IndexStmt")`. */
export function bodyOf<K extends NodeKind>(node: Node | undefined, kind: K): NodeBody<K> | undefined {
  if (!node) return undefined;
  if (node !== lastNode) {
    lastNode = node;
    lastKind = undefined;
    // A node has one key, its kind.
    for (const key in node) {
      lastKind = key;
      break;
    }
  }
  return lastKind === kind ? (node as unknown as Record<K, NodeBody<K>>)[kind] : undefined;
}

/** The bodies of the nodes of `kind` in a list (others skipped). */
export function bodiesOf<K extends NodeKind>(nodes: readonly Node[] | undefined, kind: K): Array<NodeBody<K>> {
  const bodies: Array<NodeBody<K>> = [];
  if (!nodes) return bodies;
  for (const node of nodes) {
    const body = bodyOf(node, kind);
    if (body !== undefined) bodies.push(body);
  }
  return bodies;
}

/** The values of a list of String nodes, empty ones left out. */
export function strings(nodes: readonly Node[] | undefined): string[] {
  const values: string[] = [];
  if (!nodes) return values;
  for (const node of nodes) {
    const value = bodyOf(node, "String")?.sval;
    if (value) values.push(value);
  }
  return values;
}

/** The names of a List node ("[schema, table]" of DROP, COMMENT, …). */
export function listNames(node: Node | undefined): string[] {
  return strings(bodyOf(node, "List")?.items);
}

export function defElems(nodes: readonly Node[] | undefined): DefElem[] {
  return bodiesOf(nodes, "DefElem");
}

export function constraintsOf(nodes: readonly Node[] | undefined): Constraint[] {
  return bodiesOf(nodes, "Constraint");
}

/** ALTER TABLE's subcommands. */
export function alterCommandsOf(alter: AlterTableStmt | undefined): AlterTableCmd[] {
  return bodiesOf(alter?.cmds, "AlterTableCmd");
}

/** An ALTER TABLE's target table (unqualified) and its subcommands; none for any other statement. */
export function alterTableOf(node: Node): { table: string | undefined; commands: AlterTableCmd[] } {
  const alter = bodyOf(node, "AlterTableStmt");
  return { table: alter?.relation?.relname, commands: alterCommandsOf(alter) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Every value under `key` anywhere in the tree (CTE names, function names, …). */
export function findAll(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    for (const item of value) findAll(item, key, found);
  } else if (isRecord(value)) {
    // Keys, not entries: a pair array per property of every node was most of this walk's cost.
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (k === key) found.push(v);
      findAll(v, key, found);
    }
  }
  return found;
}

/** Every object under `node` (depth first, itself included), for finding function calls in expressions. */
export function* walk(node: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item);
  } else if (isRecord(node)) {
    yield node;
    for (const value of Object.values(node)) yield* walk(value);
  }
}

/** Names of the functions an expression calls, lower-case and without schema, in tree order. */
export function calledFunctions(expr: Node | undefined): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (isRecord(value)) {
      const call = value.FuncCall as { funcname?: Node[] } | undefined;
      if (call) {
        const name = strings(call.funcname).at(-1);
        if (name) names.push(name.toLowerCase());
      }
      for (const key of Object.keys(value)) visit(value[key]);
    }
  };
  visit(expr);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Relation names

export interface RelationRef {
  relation: string;
  schema?: string;
}

/** "public.orders": an unqualified name is taken to be in `public`. */
export function refKey(ref: RelationRef): string {
  return `${ref.schema ?? "public"}.${ref.relation}`;
}

export function sameRelation(a: RelationRef, b: RelationRef): boolean {
  return refKey(a) === refKey(b);
}

export function refOf(rangeVar: RangeVar | undefined): RelationRef | undefined {
  if (!rangeVar?.relname) return undefined;
  return rangeVar.schemaname ? { relation: rangeVar.relname, schema: rangeVar.schemaname } : { relation: rangeVar.relname };
}

/** `ONLY t` leaves partitions and inheritance children alone. */
export function recurses(rangeVar: RangeVar | undefined): boolean {
  return rangeVar?.inh === true;
}

/** A qualified name given as a list of String nodes: [schema, name] or [name]. */
export function refOfNames(names: readonly string[]): RelationRef | undefined {
  const relation = names[names.length - 1];
  if (!relation) return undefined;
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  return schema ? { relation, schema } : { relation };
}
