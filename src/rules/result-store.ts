import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * Where the result cache keeps its entries: one file per entry, named by its key. An entry holds
 * named parts (a migration's findings, the facts after it, its statements for `--details`), each
 * with its length and SHA-256, and the key it was written for: a truncated or flipped file, or one
 * renamed to another key, reads as absent, never as someone else's answer. A part is checked only
 * when it is read, so a hit that needs no facts does not hash them.
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

export interface ResultStore {
  get(key: string): ResultEntry | undefined;
  /** Stores the parts. */
  put(key: string, parts: Readonly<Record<string, PartContent>>): void;
}

const MAGIC = "data-engineer result cache 1\n";

interface Header {
  key: string;
  parts: Record<string, { offset: number; length: number; sha256: string }>;
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

const piecesOf = (content: PartContent): readonly Uint8Array[] =>
  typeof content === "string" ? [Buffer.from(content, "utf8")] : content instanceof Uint8Array ? [content] : content;

/**
 * The file's bytes for an entry, in pieces: the header, then each part's bytes as given (a part of
 * tens of megabytes, the run cache's output, is hashed and written where it is, never copied into one buffer).
 */
function entryPieces(key: string, parts: Readonly<Record<string, PartContent>>): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  const header: Header = { key, parts: {} };
  let offset = 0;
  for (const [name, content] of Object.entries(parts)) {
    const hash = createHash("sha256");
    let length = 0;
    for (const piece of piecesOf(content)) {
      hash.update(piece);
      bodies.push(piece);
      length += piece.byteLength;
    }
    header.parts[name] = { offset, length, sha256: hash.digest("hex") };
    offset += length;
  }
  return [Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, "utf8"), ...bodies];
}

/** The file's bytes for an entry. */
export function encodeEntry(key: string, parts: Readonly<Record<string, PartContent>>): Buffer {
  return Buffer.concat(entryPieces(key, parts));
}

/** Writes every piece to a new file at `path`, in order. */
function writePieces(path: string, pieces: readonly Uint8Array[]): void {
  const fd = openSync(path, "w");
  try {
    for (const piece of pieces) {
      let written = 0;
      while (written < piece.byteLength) written += writeSync(fd, piece, written, piece.byteLength - written);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads an entry's file bytes as the entry for `key`, or undefined when they are not one. */
export function decodeEntry(key: string, file: Buffer): ResultEntry | undefined {
  if (file.subarray(0, MAGIC.length).toString("latin1") !== MAGIC) return undefined;
  const end = file.indexOf(0x0a, MAGIC.length);
  if (end < 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(file.subarray(MAGIC.length, end).toString("utf8")) as Header;
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || header.key !== key || typeof header.parts !== "object" || header.parts === null) return undefined;
  const body = file.subarray(end + 1);
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
    const temp = join(this.dir, `${key}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      mkdirSync(this.dir, { recursive: true });
      writePieces(temp, entryPieces(key, parts));
      renameSync(temp, join(this.dir, key));
      this.wrote = true;
    } catch {
      try {
        unlinkSync(temp);
      } catch {
        // never written
      }
    }
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

function remove(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // another process removed it first
  }
}
