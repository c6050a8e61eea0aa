import { createHash } from "node:crypto";
import { collectingWriter, type EntryWriter, type PartContent, type ResultEntry, type ResultStore } from "./result-store.js";

/**
 * The per-migration entries of a chain of keys (cached-analysis.ts), grouped in packs: one result
 * store entry per run that analysed something, holding the parts of every migration it analysed
 * (named `<migration key>/<part>`), instead of one file per migration. Creating a file is what a
 * cold run paid most for (a few hundred files: about 0.2 s of system CPU on the machine measured,
 * ~0.8 ms a file, against ~50 ms to write the same bytes as one file).
 *
 * A manifest, keyed by the chain's first key, lists the packs a run reads: a run that analyses a
 * migration added at the end writes a pack of that one migration and lists it beside the packs its
 * hits came from (their bytes are not written again). Packs none of whose entries were hits are no
 * longer listed (the store's pruning removes them); past MAX_PACKS, the hits' parts are copied into
 * the new pack, which is then the only one listed. Every part keeps the store's checks (length and
 * SHA-256, the entry's key in its header): a damaged pack or manifest reads as misses. Two processes
 * writing at once each list packs that hold right answers; the last manifest renamed into place wins.
 */

const FORMAT = "data-engineer migration packs 1";

/** The packs a manifest lists at most; each is a file read per run. */
export const MAX_PACKS = 8;

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A migration's parts as stored (its part names without the key). */
export interface PackedMigration {
  key: string;
  parts: Readonly<Record<string, PartContent>>;
}

/** A migration's parts as read: each checked when read. */
export interface FoundMigration {
  /** The pack it was read from. */
  pack: string;
  entry: ResultEntry;
}

export class MigrationPacks {
  private readonly manifestKey: string;
  private readonly found = new Map<string, FoundMigration>();

  /** Reads the manifest of the chain that starts with `firstKey` and the packs it lists. */
  constructor(
    private readonly store: ResultStore,
    firstKey: string,
  ) {
    this.manifestKey = sha256(`${FORMAT}\0manifest\0${firstKey}`);
    for (const pack of listed(store.get(this.manifestKey)?.part("packs"))) {
      const entry = store.get(pack);
      if (!entry) continue;
      for (const name of entry.names()) {
        const key = name.slice(0, Math.max(0, name.indexOf("/")));
        // The first pack listed that holds a key answers for it (any pack holding it holds the same answer).
        if (key && !this.found.has(key)) this.found.set(key, { pack, entry: partsOf(entry, key) });
      }
    }
  }

  /** The parts stored for a migration's key, when a listed pack holds any. */
  find(key: string): FoundMigration | undefined {
    return this.found.get(key);
  }

  /**
   * Starts the pack of a run whose hits are `hits`: its migrations' parts go to the file as they
   * are added; past MAX_PACKS, the hits' parts are copied into it first. Nothing is written until
   * a migration is added, nor at all for a run of hits only.
   */
  begin(hits: ReadonlyArray<{ key: string; found: FoundMigration }>): PackWriter {
    let kept = [...new Set(hits.map((hit) => hit.found.pack))];
    let writer: EntryWriter | undefined;
    // Named by the names it holds: two runs that analysed the same migrations write the same answers.
    const name = createHash("sha256").update(`${FORMAT}\0pack`);
    const add = (key: string, part: string, content: PartContent) => {
      writer ??= this.store.writer?.() ?? collectingWriter(this.store);
      writer.add(`${key}/${part}`, content);
      name.update(`\0${key}/${part}`);
    };
    let copied = false;
    return {
      add: (migration) => {
        if (!copied && kept.length + 1 > MAX_PACKS) {
          for (const { key, found } of hits) {
            for (const part of found.entry.names()) {
              const bytes = found.entry.partBytes(part);
              if (bytes) add(key, part, bytes);
            }
          }
          kept = [];
        }
        copied = true;
        for (const [part, content] of Object.entries(migration.parts)) add(migration.key, part, content);
      },
      finish: () => {
        if (!writer) return;
        const pack = name.digest("hex");
        writer.commit(pack);
        this.store.put(this.manifestKey, { packs: JSON.stringify([pack, ...kept]) });
      },
      abort: () => writer?.abort(),
    };
  }
}

/** A run's pack, written as its migrations are analysed. */
export interface PackWriter {
  add(migration: PackedMigration): void;
  /** Stores the pack (when a migration was added) and the manifest that lists it. */
  finish(): void;
  abort(): void;
}

/** The pack keys a manifest's part lists; none when it is absent or not a list of keys. */
function listed(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) ? list.filter((item): item is string => typeof item === "string" && /^[0-9a-f]{64}$/.test(item)) : [];
  } catch {
    return [];
  }
}

/** One migration's parts of a pack, by their names without the key. */
function partsOf(pack: ResultEntry, key: string): ResultEntry {
  const prefix = `${key}/`;
  return {
    part: (name) => pack.part(prefix + name),
    partBytes: (name) => pack.partBytes(prefix + name),
    names: () => pack.names().flatMap((name) => (name.startsWith(prefix) ? [name.slice(prefix.length)] : [])),
  };
}
