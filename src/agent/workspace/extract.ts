import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Parser, ReadEntry } from "tar";
import { AppError, UserInputError, errorMessage } from "../../errors.js";

/**
 * A commit's files on disk for the agent to read: a tar archive unpacked into a fresh temporary
 * folder. Only regular files are written, by this module itself (never by tar's extraction):
 * links, devices and any path that could leave the folder are skipped and recorded, and the
 * archive is cut off at fixed caps so that a hostile or huge repository cannot fill the disk.
 */

export interface WorkspaceLimits {
  /** Bytes of all written files together; beyond, the workspace is truncated. */
  maxTotalBytes: number;
  /** Files written; beyond, the workspace is truncated. */
  maxFiles: number;
  /** A larger file is skipped (and recorded); the rest of the archive is still read. */
  maxFileBytes: number;
  /** Bytes read from the input as given (compressed when gzip); beyond, the workspace is truncated. */
  maxArchiveBytes: number;
  /**
   * Bytes of the tar stream after decompression, skipped files' data, headers and padding
   * included; beyond, the extraction fails with a WorkspaceLimitError. A skipped file is still
   * decompressed to be passed over: 10 MB of gzip held a 10 GiB file that took 20 s to drain.
   */
  maxUnpackedBytes: number;
  /** Entries of any kind (folders, links and skipped ones included); beyond, a WorkspaceLimitError. */
  maxEntries: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_WORKSPACE_LIMITS: Readonly<WorkspaceLimits> = Object.freeze({
  maxTotalBytes: 200 * MiB,
  maxFiles: 20_000,
  // Schema dumps (structure.sql, pg_dump output) run to tens of MiB; the read tools page through
  // files over their own limit by lines, so such a file must be on disk rather than vanish.
  maxFileBytes: 64 * MiB,
  maxArchiveBytes: 500 * MiB,
  maxUnpackedBytes: 1024 * MiB,
  maxEntries: 100_000,
});

export interface SkippedEntry {
  /** The entry's path below the root when it has a usable one, else as the archive names it. */
  path: string;
  reason: string;
}

export interface Workspace {
  /** The folder holding the files (symlinks resolved). */
  root: string;
  files: number;
  bytes: number;
  skipped: SkippedEntry[];
  /** Why the archive was cut off, when it was: the files after that point are missing. */
  truncated?: string;
  /** Removes the folder; safe to call more than once. */
  dispose(): Promise<void>;
}

export type ArchiveInput = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

export interface ExtractOptions {
  gzip: boolean;
  /** Leading path segments to drop, like `tar --strip-components` (GitHub's archives: 1). */
  stripComponents: number;
  limits?: Partial<WorkspaceLimits>;
  signal?: AbortSignal;
}

/**
 * The archive itself could not be read (broken compression, malformed tar, the input stream
 * failed). Whose fault that is depends on where the archive came from: callers translate it.
 */
export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ArchiveError";
  }
}

/**
 * The archive is larger than the workspace may unpack (decompressed bytes or entries): the
 * extraction is abandoned and the folder removed. The repository's content is the cause, so the
 * fault is the user's; whoever opens the workspace fails its own step with this message.
 */
export class WorkspaceLimitError extends UserInputError {}

const TEMP_PREFIX = "data-engineer-ws-";
/** File contents waiting for the disk beyond this stop the reading until they are written. */
const MAX_PENDING_WRITE_BYTES = 16 * MiB;
/** Recorded paths are shortened to this many characters (a pax header can carry a huge one). */
const MAX_RECORDED_PATH = 1024;
/** Errors of one file's write that skip that file instead of failing the workspace. */
const ENTRY_WRITE_CONFLICTS: Record<string, string> = {
  EEXIST: "conflicts with another entry of the archive",
  ENOTDIR: "conflicts with another entry of the archive",
  EISDIR: "conflicts with another entry of the archive",
  ENAMETOOLONG: "path too long for the file system",
};

/** Ends the reading early without an error: a cap was reached. */
const STOP = new Error("workspace limit reached");

/** Unpacks a tar archive (gzip-compressed or not) into a new temporary folder. */
export async function extractArchive(input: ArchiveInput, options: ExtractOptions): Promise<Workspace> {
  const source = toReadable(input);
  // A source that fails before the pipeline below listens (git exiting at once on a bad ref)
  // must not crash the process; the pipeline still sees the stream's error.
  source.on("error", () => undefined);
  let root: string | undefined;
  let extraction: Extraction | undefined;
  try {
    options.signal?.throwIfAborted();
    root = await realpath(await mkdtemp(join(tmpdir(), TEMP_PREFIX)));
    // tar is loaded on the first extraction, not when the server starts (issue 20: /readyz within 0.5 s).
    const { Parser: TarParser } = await import("tar");
    extraction = new Extraction(TarParser, root, withDefaults(options.limits), options.stripComponents);
    await extraction.run(source, options.gzip, options.signal);
    return workspaceAt(root, extraction);
  } catch (error) {
    source.destroy();
    if (extraction) await extraction.cancel();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
    options.signal?.throwIfAborted();
    throw error;
  }
}

/** Runs `use` on a workspace and always removes the workspace afterwards. */
export async function withWorkspace<T>(create: () => Promise<Workspace>, use: (workspace: Workspace) => Promise<T>): Promise<T> {
  const workspace = await create();
  try {
    return await use(workspace);
  } finally {
    await workspace.dispose();
  }
}

function withDefaults(limits: Partial<WorkspaceLimits> = {}): WorkspaceLimits {
  const merged = { ...DEFAULT_WORKSPACE_LIMITS };
  for (const key of Object.keys(merged) as Array<keyof WorkspaceLimits>) {
    const value = limits[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

function workspaceAt(root: string, extraction: Extraction): Workspace {
  let removal: Promise<void> | undefined;
  return {
    root,
    files: extraction.files,
    bytes: extraction.bytes,
    skipped: extraction.skipped,
    ...(extraction.truncated !== undefined ? { truncated: extraction.truncated } : {}),
    dispose() {
      removal ??= rm(root, { recursive: true, force: true }).catch((error: unknown) => {
        removal = undefined;
        throw error;
      });
      return removal;
    },
  };
}

function isWebStream(input: ArchiveInput): input is ReadableStream<Uint8Array> {
  return typeof (input as { getReader?: unknown }).getReader === "function";
}

function toReadable(input: ArchiveInput): Readable {
  if (input instanceof Readable) return input;
  if (isWebStream(input)) return Readable.fromWeb(input);
  return Readable.from(input, { objectMode: false });
}

function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function shorten(path: string): string {
  const printable = path.replace(/\0/g, "\\0");
  return printable.length > MAX_RECORDED_PATH ? `${printable.slice(0, MAX_RECORDED_PATH)}…` : printable;
}

type Located = { kind: "inside"; path: string } | { kind: "stripped" } | { kind: "refused"; reason: string };

/** Where an entry goes below the root, checked before and after stripping leading segments. */
function locate(raw: string, stripComponents: number): Located {
  if (raw.includes("\0")) return { kind: "refused", reason: "NUL character in the path" };
  if (raw.includes("\\")) return { kind: "refused", reason: "backslash in the path" };
  if (raw.startsWith("/") || /^[A-Za-z]:\//.test(raw)) return { kind: "refused", reason: "absolute path" };
  const segments = raw.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) return { kind: "refused", reason: "'..' in the path" };
  const kept = segments.slice(stripComponents);
  if (kept.length === 0) return { kind: "stripped" };
  return { kind: "inside", path: kept.join("/") };
}

const LINK_REASONS: Partial<Record<ReadEntry["type"], string>> = {
  SymbolicLink: "symbolic link",
  Link: "hard link",
  CharacterDevice: "character device",
  BlockDevice: "block device",
  FIFO: "FIFO",
};

/** One archive being unpacked: the tar parser's entries become files below `root`. */
class Extraction {
  files = 0;
  bytes = 0;
  readonly skipped: SkippedEntry[] = [];
  truncated: string | undefined;

  private readonly parser: Parser;
  private archiveBytes = 0;
  private unpackedBytes = 0;
  private entries = 0;
  /** A cap whose crossing fails the extraction (WorkspaceLimitError). */
  private limitFailure: WorkspaceLimitError | undefined;
  private stopped = false;
  private cancelled = false;
  /** Why the tar stream cannot be read. */
  private parseFailure: unknown;
  /** A write that failed for a reason other than the entry itself (disk full, permissions). */
  private writeFailure: Error | undefined;
  private writes: Promise<void> = Promise.resolve();
  private pendingBytes = 0;
  private readonly madeDirs = new Set<string>();

  constructor(
    TarParser: typeof Parser,
    private readonly root: string,
    private readonly limits: WorkspaceLimits,
    private readonly stripComponents: number,
  ) {
    // strict: a malformed header or a cut-off archive is an error, not a warning.
    this.parser = new TarParser({ strict: true, brotli: false, zstd: false, onReadEntry: (entry) => this.onEntry(entry) });
    this.parser.on("ignoredEntry", (entry: ReadEntry) => this.onIgnoredEntry(entry));
    this.parser.on("error", (error: unknown) => {
      this.parseFailure ??= error;
    });
    this.parser.on("abort", (error: unknown) => {
      this.parseFailure ??= error;
    });
  }

  async run(source: Readable, gzip: boolean, signal: AbortSignal | undefined): Promise<void> {
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        if (this.archiveBytes + chunk.length > this.limits.maxArchiveBytes) {
          this.stop(`the archive is larger than ${formatBytes(this.limits.maxArchiveBytes)}`);
          callback(STOP);
          return;
        }
        this.archiveBytes += chunk.length;
        callback(null, chunk);
      },
    });
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => this.feed(chunk, callback),
      final: (callback) => this.finish(callback),
    });
    try {
      if (gzip) await pipeline(source, counter, createGunzip(), sink, { signal });
      else await pipeline(source, counter, sink, { signal });
    } catch (error) {
      if (error !== STOP) throw this.describe(error);
    }
    await this.writes;
    if (this.writeFailure !== undefined) throw this.writeFailure;
  }

  /** Stops writing and waits for writes under way, so that the folder can be removed. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    this.stopped = true;
    await this.writes;
  }

  private describe(error: unknown): unknown {
    if (error === this.writeFailure || error instanceof AppError) return error;
    if (error instanceof Error && error.name === "AbortError") return error;
    return new ArchiveError(`the archive could not be read: ${errorMessage(error)}`, { cause: error });
  }

  private failure(): unknown {
    return this.limitFailure ?? this.writeFailure ?? this.parseFailure;
  }

  private feed(chunk: Buffer, callback: (error?: Error | null) => void): void {
    // Counted as the decompressed bytes arrive, before the parser sees them.
    this.unpackedBytes += chunk.length;
    if (this.unpackedBytes > this.limits.maxUnpackedBytes) {
      this.limitFailure ??= new WorkspaceLimitError(
        `the head commit unpacks to more than ${formatBytes(this.limits.maxUnpackedBytes)} (skipped files included), so it was not unpacked`,
      );
    }
    if (!this.stopped && this.limitFailure === undefined) this.parser.write(chunk);
    const failure = this.failure();
    if (failure !== undefined) {
      callback(asError(failure));
      return;
    }
    if (this.stopped) {
      callback(STOP);
      return;
    }
    if (this.pendingBytes <= MAX_PENDING_WRITE_BYTES) {
      callback();
      return;
    }
    void this.writes.then(() => callback(asError(this.failure())));
  }

  private finish(callback: (error?: Error | null) => void): void {
    const ended = new Promise<void>((resolve) => {
      this.parser.once("end", () => resolve());
      this.parser.once("abort", () => resolve());
    });
    this.parser.end();
    void ended.then(() => this.writes).then(() => callback(asError(this.failure())));
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.truncated = reason;
  }

  private skip(path: string, reason: string): void {
    if (this.skipped.length >= this.limits.maxFiles) {
      this.stop(`more than ${this.limits.maxFiles} entries were skipped`);
      return;
    }
    this.skipped.push({ path: shorten(path), reason });
  }

  /** Counts one entry of any kind; false once there are more than the cap allows. */
  private countEntry(): boolean {
    this.entries++;
    if (this.entries <= this.limits.maxEntries) return true;
    this.limitFailure ??= new WorkspaceLimitError(
      `the head commit has more than ${this.limits.maxEntries} entries (files, folders and links), so it was not unpacked`,
    );
    return false;
  }

  private onIgnoredEntry(entry: ReadEntry): void {
    if (!this.countEntry() || this.stopped) return;
    const reason = entry.meta ? `oversized ${entry.type} header` : `unsupported entry type ${entry.type}`;
    this.skip(entry.path, reason);
  }

  private onEntry(entry: ReadEntry): void {
    // The parser waits for each entry's end: an entry not written is drained, its data dropped.
    if (!this.handle(entry)) entry.resume();
  }

  /** Whether the entry's data is being read (to be written). */
  private handle(entry: ReadEntry): boolean {
    if (!this.countEntry() || this.stopped || this.failure() !== undefined) return false;
    const where = locate(entry.path, this.stripComponents);
    const isDirectory = entry.type === "Directory" || entry.type === "GNUDumpDir";
    if (where.kind === "refused") {
      this.skip(entry.path, where.reason);
      return false;
    }
    if (where.kind === "stripped") {
      // The top-level folder(s) that stripping removes.
      if (!isDirectory) this.skip(entry.path, `outside the root after stripping ${this.stripComponents} path segment(s)`);
      return false;
    }
    // Directories are made as the files below them are written.
    if (isDirectory) return false;
    if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
      const kind = LINK_REASONS[entry.type];
      const reason = kind === undefined ? `unsupported entry type ${entry.type}` : entry.linkpath ? `${kind} to ${shorten(entry.linkpath)}` : kind;
      this.skip(where.path, reason);
      return false;
    }
    return this.acceptFile(entry, where.path);
  }

  private acceptFile(entry: ReadEntry, path: string): boolean {
    const { maxFileBytes, maxFiles, maxTotalBytes } = this.limits;
    if (entry.size > maxFileBytes) {
      this.skip(path, `larger than ${formatBytes(maxFileBytes)} (${entry.size} bytes)`);
      return false;
    }
    if (this.files + 1 > maxFiles) {
      this.stop(`the archive has more than ${maxFiles} files`);
      return false;
    }
    if (this.bytes + entry.size > maxTotalBytes) {
      this.stop(`the files exceed ${formatBytes(maxTotalBytes)} in total`);
      return false;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    entry.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    entry.on("end", () => {
      // A cut-off archive ends its last entry early; the parser reports it as an error.
      if (received !== entry.size || this.failure() !== undefined) return;
      this.files++;
      this.bytes += received;
      this.queueWrite(path, Buffer.concat(chunks, received));
    });
    return true;
  }

  private queueWrite(path: string, data: Buffer): void {
    this.pendingBytes += data.length;
    this.writes = this.writes.then(async () => {
      try {
        if (!this.cancelled && this.writeFailure === undefined) await this.write(path, data);
      } catch (error) {
        const conflict = ENTRY_WRITE_CONFLICTS[(error as NodeJS.ErrnoException).code ?? ""];
        if (conflict === undefined) {
          this.writeFailure ??= error instanceof Error ? error : new Error(errorMessage(error));
        } else {
          this.files--;
          this.bytes -= data.length;
          this.skip(path, conflict);
        }
      } finally {
        this.pendingBytes -= data.length;
      }
    });
  }

  private async write(path: string, data: Buffer): Promise<void> {
    const target = resolve(this.root, ...path.split("/"));
    // locate() already refused every path that could leave the root; this guards that promise.
    if (!target.startsWith(this.root + sep)) throw new ArchiveError(`refusing to write outside the workspace: ${path}`);
    const folder = dirname(target);
    if (!this.madeDirs.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.madeDirs.add(folder);
    }
    await writeFile(target, data, { mode: 0o644 });
  }
}

function asError(error: unknown): Error | null {
  if (error === undefined) return null;
  return error instanceof Error ? error : new Error(errorMessage(error));
}
