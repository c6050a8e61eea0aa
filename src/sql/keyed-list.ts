/**
 * A list with maps from keys to items, kept up to date as items are added: the schema facts of a
 * long folder of migrations are asked about on every statement, so lookups must not scan.
 * Removals find their items through a key's map (a CREATE TABLE IF NOT EXISTS of a new table,
 * thousands in a long folder, then costs a lookup, not a pass over every table); renames are rare
 * and rebuild the maps.
 */
export class KeyedList<T, K extends string> {
  readonly items: T[] = [];
  private readonly maps = new Map<K, Map<string, T[]>>();
  /** The keys' names, listed once (every push indexes an item under each). */
  private readonly names: readonly K[];

  /** Each key gives an item's value, or its values when it has several (most have one: no array is made for it). */
  constructor(private readonly keys: Record<K, (item: T) => string | readonly string[]>) {
    this.names = Object.keys(keys) as K[];
    this.rebuild();
  }

  push(item: T): void {
    this.items.push(item);
    this.index(item);
  }

  get(key: K, value: string): readonly T[] {
    return this.maps.get(key)?.get(value) ?? [];
  }

  /** Removes the items whose `key` is `value` (and that `also` accepts, when given); the others keep their order. */
  removeWhere(key: K, value: string, also?: (item: T) => boolean): void {
    const removed = new Set(this.get(key, value).filter((item) => also?.(item) ?? true));
    if (removed.size === 0) return;
    const kept = this.items.filter((item) => !removed.has(item));
    this.items.splice(0, this.items.length, ...kept);
    for (const item of removed) this.unindex(item);
  }

  /** After items were changed in place (a rename). */
  rebuild(): void {
    for (const key of this.names) this.maps.set(key, new Map());
    for (const item of this.items) this.index(item);
  }

  private index(item: T): void {
    for (const key of this.names) {
      const map = this.maps.get(key);
      if (!map) continue;
      const values = this.keys[key](item);
      if (typeof values === "string") indexUnder(map, values, item);
      else for (const value of values) indexUnder(map, value, item);
    }
  }

  private unindex(item: T): void {
    for (const key of this.names) {
      const map = this.maps.get(key);
      if (!map) continue;
      const values = this.keys[key](item);
      for (const value of typeof values === "string" ? [values] : values) {
        const list = map.get(value)?.filter((other) => other !== item);
        if (list && list.length > 0) map.set(value, list);
        else map.delete(value);
      }
    }
  }
}

function indexUnder<T>(map: Map<string, T[]>, value: string, item: T): void {
  const list = map.get(value);
  if (list) list.push(item);
  else map.set(value, [item]);
}
