import { randomBytes } from "node:crypto";
import {
  createReadStream,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { create as createTar } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArchiveError,
  DEFAULT_WORKSPACE_LIMITS,
  extractArchive,
  withWorkspace,
  WorkspaceLimitError,
  type Workspace,
} from "../../../src/agent/workspace/extract.js";
import { paxEntry, rawEntry, rawTar } from "./tar-bytes.js";

// Workspaces go to a temporary folder of this test file alone, so that listing it shows exactly
// the workspaces these tests left behind.
let base = "";
let workspaces = "";
let fixtures = "";
const savedTmpdir = process.env.TMPDIR;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "de-extract-test-")));
  workspaces = join(base, "tmp");
  fixtures = join(base, "fixtures");
  mkdirSync(workspaces);
  mkdirSync(fixtures);
  process.env.TMPDIR = workspaces;
});

afterAll(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(base, { recursive: true, force: true });
});

function leftBehind(): string[] {
  return readdirSync(workspaces).filter((name) => name.startsWith("data-engineer-ws-"));
}

/** Every entry below root, relative, with "/" after folders; fails on anything but files and folders. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .map((entry) => {
      const path = relative(root, join(entry.parentPath, entry.name));
      if (entry.isDirectory()) return `${path}/`;
      if (!entry.isFile()) throw new Error(`${path} is neither a file nor a folder`);
      return path;
    })
    .sort();
}

function read(ws: Workspace, path: string): string {
  return readFileSync(join(ws.root, path), "utf8");
}

function chunks(buffer: Buffer, size = 512): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
  return out;
}

async function waitFor(condition: () => string | undefined, what: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const found = condition();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The workspace folder being filled, once `file` has been written into it. */
function workspaceHolding(file: string): Promise<string> {
  return waitFor(() => {
    const name = leftBehind()[0];
    return name !== undefined && existsSync(join(workspaces, name, file)) ? join(workspaces, name) : undefined;
  }, `${file} in a workspace`);
}

/** A source tree with a top-level folder, as GitHub's archives have. */
function sourceTree(name: string): string {
  const top = join(fixtures, name, "top");
  mkdirSync(join(top, "db", "migrations"), { recursive: true });
  mkdirSync(join(top, "empty"));
  writeFileSync(join(top, "README.md"), "# shop\n");
  writeFileSync(join(top, "db", "migrations", "001_init.sql"), "CREATE TABLE orders (id bigint);\n");
  writeFileSync(join(top, "db", "original.txt"), "linked twice\n");
  linkSync(join(top, "db", "original.txt"), join(top, "db", "second-name.txt"));
  symlinkSync("/etc/passwd", join(top, "passwd"));
  return join(fixtures, name);
}

describe("extractArchive", () => {
  it("writes the regular files of a tar archive and skips links", async () => {
    const cwd = sourceTree("plain");
    const file = join(fixtures, "plain.tar");
    await createTar({ cwd, file, portable: true }, ["top"]);

    const ws = await extractArchive(createReadStream(file), { gzip: false, stripComponents: 1 });
    try {
      expect(ws.root).toBe(realpathSync(ws.root));
      expect(dirname(ws.root)).toBe(workspaces);
      expect(read(ws, "README.md")).toBe("# shop\n");
      expect(read(ws, "db/migrations/001_init.sql")).toBe("CREATE TABLE orders (id bigint);\n");
      // tar stores the second name of a hard-linked file as a link to the first.
      const linked = ["db/original.txt", "db/second-name.txt"];
      const written = linked.filter((p) => existsSync(join(ws.root, p)));
      expect(written).toHaveLength(1);
      expect(read(ws, written[0] ?? "")).toBe("linked twice\n");
      expect(tree(ws.root)).toEqual(["README.md", "db/", "db/migrations/", "db/migrations/001_init.sql", ...written].sort());
      expect(ws.files).toBe(3);
      expect(ws.bytes).toBe(7 + 33 + 13);
      expect(ws.truncated).toBeUndefined();
      expect(ws.skipped).toEqual(
        expect.arrayContaining([
          { path: "passwd", reason: "symbolic link to /etc/passwd" },
          { path: linked.find((p) => !written.includes(p)), reason: expect.stringMatching(/^hard link to /) },
        ]),
      );
      expect(ws.skipped).toHaveLength(2);
    } finally {
      await ws.dispose();
    }
  });

  it("reads gzip-compressed archives", async () => {
    const cwd = sourceTree("gzipped");
    const file = join(fixtures, "gzipped.tar.gz");
    await createTar({ cwd, file, gzip: true }, ["top"]);

    const ws = await extractArchive(createReadStream(file), { gzip: true, stripComponents: 1 });
    try {
      expect(read(ws, "db/migrations/001_init.sql")).toBe("CREATE TABLE orders (id bigint);\n");
      expect(ws.skipped.map((s) => s.path)).toContain("passwd");
    } finally {
      await ws.dispose();
    }
  });

  it("reads web streams and plain async iterables", async () => {
    const archive = rawTar([{ path: "a.txt", body: "from the web" }]);
    const body = new Response(gzipSync(archive)).body;
    if (!body) throw new Error("a Response of bytes has a body");
    const web = await extractArchive(body, { gzip: true, stripComponents: 0 });
    const iterable = await extractArchive(
      (async function* () {
        for (const chunk of chunks(archive, 100)) {
          await Promise.resolve();
          yield chunk;
        }
      })(),
      { gzip: false, stripComponents: 0 },
    );
    try {
      expect(read(web, "a.txt")).toBe("from the web");
      expect(read(iterable, "a.txt")).toBe("from the web");
    } finally {
      await web.dispose();
      await iterable.dispose();
    }
  });

  it("refuses every entry that would land outside the root, and writes nothing there", async () => {
    const archive = rawTar([
      { path: "../escape.txt", body: "out" },
      { path: "/abs.txt", body: "out" },
      { path: "ok/../../up.txt", body: "out" },
      { path: "dir\\win.txt", body: "out" },
      paxEntry({ path: "../../pax-escape.txt" }),
      { path: "innocent-name.txt", body: "out" },
      // The classic: a symlink to a folder outside, then a file "through" it.
      { path: "etc", type: "2", linkpath: "/etc" },
      { path: "etc/owned.txt", body: "inside after all" },
      { path: "hard", type: "1", linkpath: "/etc/passwd" },
      { path: "pipe", type: "6" },
      { path: "tty", type: "3" },
      { path: "ok/fine.txt", body: "fine" },
    ]);

    const ws = await extractArchive(Readable.from(chunks(archive)), { gzip: false, stripComponents: 0 });
    try {
      expect(tree(ws.root)).toEqual(["etc/", "etc/owned.txt", "ok/", "ok/fine.txt"]);
      expect(lstatSync(join(ws.root, "etc")).isDirectory()).toBe(true);
      expect(read(ws, "etc/owned.txt")).toBe("inside after all");
      for (const name of ["escape.txt", "up.txt", "pax-escape.txt"]) {
        expect(existsSync(join(workspaces, name))).toBe(false);
        expect(existsSync(join(base, name))).toBe(false);
      }
      expect(existsSync("/abs.txt")).toBe(false);
      expect(ws.skipped).toEqual([
        { path: "../escape.txt", reason: "'..' in the path" },
        { path: "/abs.txt", reason: "absolute path" },
        { path: "ok/../../up.txt", reason: "'..' in the path" },
        { path: "dir\\win.txt", reason: "backslash in the path" },
        { path: "../../pax-escape.txt", reason: "'..' in the path" },
        { path: "etc", reason: "symbolic link to /etc" },
        { path: "hard", reason: "hard link to /etc/passwd" },
        { path: "pipe", reason: "FIFO" },
        { path: "tty", reason: "character device" },
      ]);
      expect(ws.files).toBe(2);
    } finally {
      await ws.dispose();
    }
  });

  it("strips the top-level folder and records what stripping leaves nothing of", async () => {
    const archive = rawTar([
      paxEntry({ comment: "0123456789abcdef" }, "g"),
      { path: "acme-shop-0123456/", type: "5" },
      { path: "acme-shop-0123456/db/a.sql", body: "SELECT 1;" },
      { path: "acme-shop-0123456/db/empty.sql" },
      { path: "loose-file.txt", body: "no folder" },
      { path: "other-top/b.sql", body: "SELECT 2;" },
    ]);
    const ws = await extractArchive(Readable.from([archive]), { gzip: false, stripComponents: 1 });
    try {
      expect(tree(ws.root)).toEqual(["b.sql", "db/", "db/a.sql", "db/empty.sql"]);
      expect(read(ws, "db/empty.sql")).toBe("");
      expect(ws.skipped).toEqual([{ path: "loose-file.txt", reason: "outside the root after stripping 1 path segment(s)" }]);
    } finally {
      await ws.dispose();
    }
  });

  it("skips a file whose path another entry already took as a file or folder", async () => {
    const archive = rawTar([
      { path: "a", body: "a file" },
      { path: "a/b.txt", body: "below a file" },
      { path: "c/d.txt", body: "a file in c" },
      { path: "c", body: "over a folder" },
    ]);
    const ws = await extractArchive(Readable.from([archive]), { gzip: false, stripComponents: 0 });
    try {
      expect(tree(ws.root)).toEqual(["a", "c/", "c/d.txt"]);
      expect(ws.skipped).toEqual([
        { path: "a/b.txt", reason: "conflicts with another entry of the archive" },
        { path: "c", reason: "conflicts with another entry of the archive" },
      ]);
      expect(ws.files).toBe(2);
      expect(ws.bytes).toBe(6 + 11);
    } finally {
      await ws.dispose();
    }
  });

  it("keeps the contents of large files fed in small chunks", async () => {
    const entries = Array.from({ length: 24 }, (_, i) => ({ path: `blob${i}.bin`, body: Buffer.alloc(1536 * 1024, i + 1) }));
    const archive = rawTar(entries);
    const ws = await extractArchive(Readable.from(chunks(archive, 64 * 1024)), { gzip: false, stripComponents: 0 });
    try {
      expect(ws.files).toBe(24);
      expect(ws.bytes).toBe(24 * 1536 * 1024);
      for (const { path, body } of entries) expect(readFileSync(join(ws.root, path)).equals(body)).toBe(true);
    } finally {
      await ws.dispose();
    }
  });
});

describe("extractArchive's caps", () => {
  it("uses the documented defaults", () => {
    expect(DEFAULT_WORKSPACE_LIMITS).toEqual({
      maxTotalBytes: 200 * 1024 * 1024,
      maxFiles: 20_000,
      maxFileBytes: 64 * 1024 * 1024,
      maxArchiveBytes: 500 * 1024 * 1024,
      maxUnpackedBytes: 1024 * 1024 * 1024,
      maxEntries: 100_000,
    });
  });

  it("skips a file over the per-file cap and goes on", async () => {
    const archive = rawTar([
      { path: "small.txt", body: "12345" },
      { path: "big.txt", body: "12345678901" },
      { path: "after.txt", body: "ok" },
    ]);
    const ws = await extractArchive(Readable.from([archive]), { gzip: false, stripComponents: 0, limits: { maxFileBytes: 10 } });
    try {
      expect(tree(ws.root)).toEqual(["after.txt", "small.txt"]);
      expect(ws.skipped).toEqual([{ path: "big.txt", reason: "larger than 10 bytes (11 bytes)" }]);
      expect(ws.truncated).toBeUndefined();
    } finally {
      await ws.dispose();
    }
  });

  /** An archive that never ends: files until the reader stops pulling. */
  function endless(): { source: AsyncGenerator<Buffer>; state: { pulled: number; closed: boolean } } {
    const state = { pulled: 0, closed: false };
    const source = (async function* () {
      try {
        for (let i = 0; ; i++) {
          state.pulled++;
          await Promise.resolve();
          yield rawEntry({ path: `f${String(i).padStart(4, "0")}.txt`, body: "123456" });
        }
      } finally {
        state.closed = true;
      }
    })();
    return { source, state };
  }

  it("stops at the total-bytes cap, marks the workspace truncated and stops reading", async () => {
    const { source, state } = endless();
    const ws = await extractArchive(source, { gzip: false, stripComponents: 0, limits: { maxTotalBytes: 20 } });
    try {
      expect(tree(ws.root)).toEqual(["f0000.txt", "f0001.txt", "f0002.txt"]);
      expect(ws.bytes).toBe(18);
      expect(ws.truncated).toBe("the files exceed 20 bytes in total");
      expect(state.closed).toBe(true);
      // Only what the streams between the source and the parser buffer.
      expect(state.pulled).toBeLessThan(1000);
    } finally {
      await ws.dispose();
    }
  });

  it("stops at the file-count cap", async () => {
    const { source, state } = endless();
    const ws = await extractArchive(source, { gzip: false, stripComponents: 0, limits: { maxFiles: 2 } });
    try {
      expect(tree(ws.root)).toEqual(["f0000.txt", "f0001.txt"]);
      expect(ws.files).toBe(2);
      expect(ws.truncated).toBe("the archive has more than 2 files");
      expect(state.closed).toBe(true);
    } finally {
      await ws.dispose();
    }
  });

  it("stops at the archive-size cap, counting the compressed bytes read", async () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ path: `r${String(i).padStart(2, "0")}.bin`, body: randomBytes(1000) }));
    const compressed = gzipSync(rawTar(entries));
    const ws = await extractArchive(Readable.from(chunks(compressed, 4096)), { gzip: true, stripComponents: 0, limits: { maxArchiveBytes: 20_000 } });
    try {
      expect(ws.truncated).toBe("the archive is larger than 20000 bytes");
      // What was decompressed before the cut; data still in flight is dropped.
      expect(ws.files).toBeLessThan(50);
      expect(tree(ws.root)).toHaveLength(ws.files);
    } finally {
      await ws.dispose();
    }
  });

  it("stops at the file-count cap with a git-like Node stream and destroys it", async () => {
    const input = new PassThrough();
    for (let i = 0; i < 5; i++) input.write(rawEntry({ path: `n${i}.txt`, body: "x" }));
    const ws = await extractArchive(input, { gzip: false, stripComponents: 0, limits: { maxFiles: 3 } });
    try {
      expect(ws.files).toBe(3);
      expect(ws.truncated).toBe("the archive has more than 3 files");
      expect(input.destroyed).toBe(true);
    } finally {
      await ws.dispose();
    }
  });
});

describe("extractArchive's caps on what it unpacks", () => {
  it("fails on a small gzip whose skipped file decompresses past the unpacked-bytes cap", async () => {
    // 64 MiB of zeros gzip to about 64 KiB: the shape of a 10 MB archive holding 10 GiB.
    const bomb = gzipSync(
      rawTar([
        { path: "a.txt", body: "a" },
        { path: "zeros.bin", body: Buffer.alloc(64 * 1024 * 1024) },
      ]),
    );
    expect(bomb.length).toBeLessThan(128 * 1024);
    const input = Readable.from(chunks(bomb, 1024));
    const failure = await extractArchive(input, { gzip: true, stripComponents: 0, limits: { maxFileBytes: 1024, maxUnpackedBytes: 1024 * 1024 } }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkspaceLimitError);
    expect((failure as Error).message).toBe("the head commit unpacks to more than 1 MiB (skipped files included), so it was not unpacked");
    expect(leftBehind()).toEqual([]);
  });

  it("fails past the entry cap, folders and skipped links counted", async () => {
    const entries = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? { path: `d${i}/`, type: "5" } : { path: `l${i}`, type: "2", linkpath: "/etc/passwd" }));
    const failure = await extractArchive(Readable.from([rawTar(entries)]), { gzip: false, stripComponents: 0, limits: { maxEntries: 50 } }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkspaceLimitError);
    expect((failure as Error).message).toBe("the head commit has more than 50 entries (files, folders and links), so it was not unpacked");
    expect(leftBehind()).toEqual([]);
  });

  it("unpacks an archive at exactly the caps", async () => {
    const archive = rawTar([
      { path: "a.txt", body: "a" },
      { path: "b/", type: "5" },
      { path: "b/c.txt", body: "c" },
    ]);
    const ws = await extractArchive(Readable.from([archive]), {
      gzip: false,
      stripComponents: 0,
      limits: { maxEntries: 3, maxUnpackedBytes: archive.length },
    });
    try {
      expect(tree(ws.root)).toEqual(["a.txt", "b/", "b/c.txt"]);
    } finally {
      await ws.dispose();
    }
  });
});

describe("the workspace folder's lifetime", () => {
  it("is removed by dispose, which may be called again", async () => {
    const ws = await extractArchive(Readable.from([rawTar([{ path: "a/b.txt", body: "b" }])]), { gzip: false, stripComponents: 0 });
    expect(existsSync(join(ws.root, "a", "b.txt"))).toBe(true);
    await ws.dispose();
    expect(existsSync(ws.root)).toBe(false);
    await ws.dispose();
    expect(leftBehind()).toEqual([]);
  });

  it("is removed by withWorkspace, whether the work succeeds or throws", async () => {
    const create = () => extractArchive(Readable.from([rawTar([{ path: "a.txt", body: "a" }])]), { gzip: false, stripComponents: 0 });
    let seen = "";
    const result = await withWorkspace(create, (ws) => {
      seen = ws.root;
      return Promise.resolve(readFileSync(join(ws.root, "a.txt"), "utf8"));
    });
    expect(result).toBe("a");
    expect(existsSync(seen)).toBe(false);

    await expect(
      withWorkspace(create, (ws) => {
        seen = ws.root;
        return Promise.reject(new Error("the agent failed"));
      }),
    ).rejects.toThrow("the agent failed");
    expect(existsSync(seen)).toBe(false);
    expect(leftBehind()).toEqual([]);
  });

  it("is removed when the gzip stream turns out corrupt midway", async () => {
    const compressed = gzipSync(
      rawTar([
        { path: "first.txt", body: "first" },
        { path: "noise.bin", body: randomBytes(300_000) },
        { path: "last.txt", body: "last" },
      ]),
    );
    const head = compressed.subarray(0, 64 * 1024);
    let observed = "";
    const input = (async function* () {
      yield head;
      observed = await workspaceHolding("first.txt");
      yield randomBytes(64 * 1024);
    })();

    const failure = await extractArchive(input, { gzip: true, stripComponents: 0 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ArchiveError);
    expect((failure as Error).message).toMatch(/^the archive could not be read: /);
    expect(observed).not.toBe("");
    expect(existsSync(observed)).toBe(false);
    expect(leftBehind()).toEqual([]);
  });

  it("is removed when the tar stream ends in the middle of a file", async () => {
    const archive = rawTar([
      { path: "whole.txt", body: "whole" },
      { path: "cut.txt", body: "x".repeat(2000) },
    ]);
    const failure = await extractArchive(Readable.from([archive.subarray(0, 2048)]), { gzip: false, stripComponents: 0 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ArchiveError);
    expect((failure as Error).message).toContain("Truncated input");
    expect(leftBehind()).toEqual([]);
  });

  it("is removed when the input is not gzip although gzip was said", async () => {
    const failure = await extractArchive(Readable.from([rawTar([{ path: "a.txt", body: "a" }])]), { gzip: true, stripComponents: 0 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(leftBehind()).toEqual([]);
  });

  it("is removed when the input stream fails", async () => {
    const input = (async function* () {
      yield rawEntry({ path: "a.txt", body: "a" });
      await workspaceHolding("a.txt");
      throw new Error("connection reset");
    })();
    await expect(extractArchive(input, { gzip: false, stripComponents: 0 })).rejects.toThrow("the archive could not be read: connection reset");
    expect(leftBehind()).toEqual([]);
  });

  it("is removed on abort, while the input is stalled", async () => {
    const input = new PassThrough();
    input.write(rawEntry({ path: "first.txt", body: "first" }));
    const controller = new AbortController();
    const extraction = extractArchive(input, { gzip: false, stripComponents: 0, signal: controller.signal });
    const observed = await workspaceHolding("first.txt");
    const reason = new Error("the review was cancelled");
    controller.abort(reason);
    await expect(extraction).rejects.toBe(reason);
    expect(existsSync(observed)).toBe(false);
    expect(input.destroyed).toBe(true);
    expect(leftBehind()).toEqual([]);
  });

  it("creates nothing when the signal is already aborted", async () => {
    const input = new PassThrough();
    const controller = new AbortController();
    controller.abort();
    await expect(extractArchive(input, { gzip: false, stripComponents: 0, signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(input.destroyed).toBe(true);
    expect(leftBehind()).toEqual([]);
  });
});
