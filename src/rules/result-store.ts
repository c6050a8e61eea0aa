import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * Where the result cache keeps its entries: one file per entry, named by its key. An entry holds
 * named parts (a migration's findings, the facts after it, its statements for `--details`), each
 * with its length and SHA-256, and the key it was written for: a truncated or flipped file, or one
 * renamed to another key, reads as absent, never as someone else's answer. A part is checked only
 * when it is read, so a hit that needs no facts does not hash them.
 *
 * The header (key and parts) comes after the parts, its length in a fixed-width trailer: an entry
 * is written part by part as its parts are made (a pack of a few hundred migrations' parts,
 * migration-packs.ts, is never held whole in memory), and its key can be chosen last.
 */

export interface ResultEntry {
  /** The part's text when it is there and intact; undefined otherwise. */
  part(name: string): string | undefined;
  /** The same, as the bytes stored (no UTF-8 decoding: for output written as it was stored). */
  partBytes(name: string): Buffer | undefined;
  /** The names of the parts the entry's header lists (each still checked when it is read). */
  names(): readonly string[];
}

/** A part's content: text (stored as UTF-8), bytes, or bytes in pieces (stored one after another, as one part). */
export type PartContent = string | Uint8Array | readonly Uint8Array[];

/** An entry written part by part; stored under the key given to `commit`, or not at all. */
export interface EntryWriter {
  add(name: string, content: PartContent): void;
  commit(key: string): void;
  /** Gives the entry up (a run that failed half way): nothing is stored. */
  abort(): void;
}

export interface ResultStore {
  get(key: string): ResultEntry | undefined;
  /** Stores the parts. */
  put(key: string, parts: Readonly<Record<string, PartContent>>): void;
  /** Starts an entry written as its parts come; without it, the parts are kept and `put` on commit. */
  writer?(): EntryWriter;
}

const MAGIC = "data-engineer result cache 2\n";
/** The trailer: "\n", the header's byte length in this many decimal digits, "\n". */
const LENGTH_DIGITS = 10;
const TRAILER = LENGTH_DIGITS + 2;

interface Header {
  key: string;
  parts: Record<string, { offset: number; length: number; sha256: string }>;
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

const piecesOf = (content: PartContent): readonly Uint8Array[] =>
  typeof content === "string" ? [Buffer.from(content, "utf8")] : content instanceof Uint8Array ? [content] : content;

/**
 * Lays out an entry: hands each piece of the file to `write` as it comes (the magic line, then
 * each part's bytes as given, hashed where they are, never copied into one buffer), and the header
 * with its trailer at `finish`.
 */
class EntryLayout {
  private readonly header: Header = { key: "", parts: {} };
  private offset = 0;

  constructor(private readonly write: (piece: Uint8Array) => void) {
    write(Buffer.from(MAGIC, "latin1"));
  }

  add(name: string, content: PartContent): void {
    const hash = createHash("sha256");
    let length = 0;
    for (const piece of piecesOf(content)) {
      hash.update(piece);
      this.write(piece);
      length += piece.byteLength;
    }
    this.header.parts[name] = { offset: this.offset, length, sha256: hash.digest("hex") };
    this.offset += length;
  }

  finish(key: string): void {
    this.header.key = key;
    const header = Buffer.from(JSON.stringify(this.header), "utf8");
    this.write(header);
    this.write(Buffer.from(`\n${String(header.length).padStart(LENGTH_DIGITS, "0")}\n`, "latin1"));
  }
}

/** The file's bytes for an entry. */
export function encodeEntry(key: string, parts: Readonly<Record<string, PartContent>>): Buffer {
  const pieces: Uint8Array[] = [];
  const layout = new EntryLayout((piece) => pieces.push(piece));
  for (const [name, content] of Object.entries(parts)) layout.add(name, content);
  layout.finish(key);
  return Buffer.concat(pieces);
}

/** Reads an entry's file bytes as the entry for `key`, or undefined when they are not one. */
export function decodeEntry(key: string, file: Buffer): ResultEntry | undefined {
  if (file.length < MAGIC.length + TRAILER || file.subarray(0, MAGIC.length).toString("latin1") !== MAGIC) return undefined;
  const trailer = file.subarray(file.length - TRAILER).toString("latin1");
  if (!/^\n[0-9]+\n$/.test(trailer)) return undefined;
  const headerStart = file.length - TRAILER - Number(trailer.slice(1, -1));
  if (headerStart < MAGIC.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(file.subarray(headerStart, file.length - TRAILER).toString("utf8")) as Header;
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || header.key !== key || typeof header.parts !== "object" || header.parts === null) return undefined;
  const body = file.subarray(MAGIC.length, headerStart);
  // A part is hashed once however often it is read (a pack's part is looked up, then read).
  const checked = new Map<string, Buffer | undefined>();
  const check = (name: string): Buffer | undefined => {
    const where = Object.hasOwn(header.parts, name) ? header.parts[name] : undefined;
    if (!where || !Number.isInteger(where.offset) || !Number.isInteger(where.length) || where.offset < 0 || where.length < 0) return undefined;
    if (where.offset + where.length > body.length) return undefined;
    const bytes = body.subarray(where.offset, where.offset + where.length);
    return sha256(bytes) === where.sha256 ? bytes : undefined;
  };
  const partBytes = (name: string): Buffer | undefined => {
    if (!checked.has(name)) checked.set(name, check(name));
    return checked.get(name);
  };
  return { partBytes, part: (name) => partBytes(name)?.toString("utf8"), names: () => Object.keys(header.parts) };
}

/** A writer over a store without one: the parts are kept, and stored with `put` on commit. */
export function collectingWriter(store: ResultStore): EntryWriter {
  const parts: Record<string, PartContent> = {};
  return {
    add: (name, content) => void (parts[name] = content),
    commit: (key) => store.put(key, parts),
    abort: () => undefined,
  };
}

export interface FileStoreLimits {
  /** Total bytes of entries kept; the least recently used go first. */
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_LIMITS: FileStoreLimits = { maxBytes: 200 * 1024 * 1024, maxEntries: 20_000 };

const KEY = /^[0-9a-f]{64}$/;
/** A temporary file left by a process that died between write and rename. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Entries as files in `dir`. Written to a temporary name and renamed into place: rename is atomic
 * on one file system, so a reader sees a whole entry or none, and two processes writing the same
 * key write the same bytes. A read refreshes the entry's mtime (kept most recently used); `prune`
 * removes the oldest beyond the limits. I/O errors make a miss or an unsaved entry, never a failure.
 */
export class FileResultStore implements ResultStore {
  private wrote = false;

  constructor(
    readonly dir: string,
    private readonly limits: FileStoreLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): ResultEntry | undefined {
    if (!KEY.test(key)) return undefined;
    const path = join(this.dir, key);
    let file: Buffer;
    try {
      file = readFileSync(path);
    } catch {
      return undefined;
    }
    const entry = decodeEntry(key, file);
    if (entry) {
      const at = new Date(this.now());
      try {
        utimesSync(path, at, at);
      } catch {
        // read-only cache: still a hit
      }
    }
    return entry;
  }

  put(key: string, parts: Readonly<Record<string, PartContent>>): void {
    if (!KEY.test(key)) throw new Error(`not a result key: ${key}`);
    const writer = this.writer();
    for (const [name, content] of Object.entries(parts)) writer.add(name, content);
    writer.commit(key);
  }

  /**
   * An entry written to a temporary file as its parts come, renamed to its key on commit. An I/O
   * error leaves the entry unsaved (its temporary file removed), never a failure.
   */
  writer(): EntryWriter {
    const temp = join(this.dir, `entry.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    let fd: number | undefined;
    let failed = false;
    const fail = () => {
      failed = true;
      if (fd !== undefined) closeQuietly(fd);
      fd = undefined;
      remove(temp);
    };
    const layout = new EntryLayout((piece) => {
      if (failed) return;
      try {
        if (fd === undefined) {
          mkdirSync(this.dir, { recursive: true });
          fd = openSync(temp, "w");
        }
        let written = 0;
        while (written < piece.byteLength) written += writeSync(fd, piece, written, piece.byteLength - written);
      } catch {
        fail();
      }
    });
    return {
      add: (name, content) => layout.add(name, content),
      commit: (key) => {
        if (!KEY.test(key)) throw new Error(`not a result key: ${key}`);
        layout.finish(key);
        if (failed || fd === undefined) return;
        try {
          closeSync(fd);
          fd = undefined;
          renameSync(temp, join(this.dir, key));
          this.wrote = true;
        } catch {
          fail();
        }
      },
      abort: fail,
    };
  }

  /** Keeps the folder within its limits, least recently used out; only after a run that wrote. */
  prune(): void {
    if (!this.wrote) return;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const entries: Array<{ path: string; size: number; mtime: number }> = [];
    for (const name of names) {
      const path = join(this.dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue; // removed by another process meanwhile
      }
      if (KEY.test(name)) entries.push({ path, size: stat.size, mtime: stat.mtimeMs });
      else if (name.endsWith(".tmp") && this.now() - stat.mtimeMs > STALE_TEMP_MS) remove(path);
    }
    let bytes = entries.reduce((sum, e) => sum + e.size, 0);
    let count = entries.length;
    if (bytes <= this.limits.maxBytes && count <= this.limits.maxEntries) return;
    entries.sort((a, b) => a.mtime - b.mtime);
    // Down to 90% of the limits, so the next runs do not prune again at once.
    for (const entry of entries) {
      if (bytes <= this.limits.maxBytes * 0.9 && count <= this.limits.maxEntries * 0.9) break;
      remove(entry.path);
      bytes -= entry.size;
      count--;
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function remove(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // another process removed it first
  }
}
