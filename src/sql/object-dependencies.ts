import type { StatementEffects } from "./effects.js";

/**
 * What depends on what, as the up migrations analysed so far created it: a view or materialized
 * view on the relations its query reads, an index or trigger on its table, a trigger on its
 * function. DROP … CASCADE of an object drops everything that depends on it, transitively
 * (Postgres follows pg_depend the same way), so a down that drops a view with CASCADE also drops
 * the materialized views built on it and their indexes. Names are unqualified and lower-case:
 * this is the rules' reading of the history, not a catalog.
 */
export class ObjectDependencies {
  /** Object → the objects that depend on it directly. */
  private readonly dependents = new Map<string, Set<string>>();

  /** As plain data, each object's dependents in the order learnt (the result cache keeps it). */
  toJSON(): Array<[string, string[]]> {
    return [...this.dependents].map(([on, set]) => [on, [...set]]);
  }

  static fromJSON(json: ReadonlyArray<readonly [string, readonly string[]]>): ObjectDependencies {
    const dependencies = new ObjectDependencies();
    for (const [on, names] of json) dependencies.dependents.set(on, new Set(names));
    return dependencies;
  }

  /** Learns from an up statement (downs undo, they do not build the schema a later migration sees). */
  learn(effects: StatementEffects): void {
    for (const created of effects.creates) {
      const name = created.name?.toLowerCase();
      if (!name) continue;
      for (const on of [...(created.dependsOn ?? []), ...(created.table ? [created.table.toLowerCase()] : [])]) this.link(on, name);
    }
    for (const rename of effects.renames) {
      if (rename.family === "column" || rename.family === "constraint") continue;
      const moved = this.dependents.get(rename.from);
      if (!moved) continue;
      this.dependents.delete(rename.from);
      for (const name of moved) this.link(rename.to, name);
    }
  }

  /** Everything DROP … CASCADE of `name` drops besides it, transitively. */
  droppedWith(name: string): ReadonlySet<string> {
    const found = new Set<string>();
    const queue = [name.toLowerCase()];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const dependent of this.dependents.get(next) ?? []) {
        if (found.has(dependent)) continue;
        found.add(dependent);
        queue.push(dependent);
      }
    }
    return found;
  }

  private link(on: string, dependent: string): void {
    if (on === dependent) return;
    let set = this.dependents.get(on);
    if (!set) this.dependents.set(on, (set = new Set()));
    set.add(dependent);
  }
}
