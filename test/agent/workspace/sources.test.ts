import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workspaceFromGit, workspaceFromGitHub } from "../../../src/agent/workspace/sources.js";
import { GitHubApiError, UserInputError } from "../../../src/errors.js";
import { LocalRepo } from "../../../src/git/local-repo.js";

let base = "";
let workspaces = "";
let repoDir = "";
const savedTmpdir = process.env.TMPDIR;

function git(...args: string[]): Buffer {
  return execFileSync("git", ["-C", repoDir, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: base,
    },
  });
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "de-sources-test-")));
  workspaces = join(base, "tmp");
  repoDir = join(base, "repo");
  mkdirSync(workspaces);
  mkdirSync(join(repoDir, "db", "migrations"), { recursive: true });
  git("init", "--quiet", "--initial-branch=main");
  writeFileSync(join(repoDir, "README.md"), "# shop\n");
  writeFileSync(join(repoDir, "db", "migrations", "001_init.sql"), "CREATE TABLE orders (id bigint);\n");
  writeFileSync(join(repoDir, "db", "migrations", "002_index.sql"), "CREATE INDEX CONCURRENTLY orders_id ON orders (id);\n");
  symlinkSync("/etc/passwd", join(repoDir, "passwd"));
  git("add", "-A");
  git("commit", "--quiet", "-m", "init");
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

describe("workspaceFromGit", () => {
  it("unpacks a ref of a local repository and skips its symlinks", async () => {
    const ws = await workspaceFromGit(new LocalRepo(repoDir), "HEAD");
    try {
      expect(readFileSync(join(ws.root, "db", "migrations", "001_init.sql"), "utf8")).toBe("CREATE TABLE orders (id bigint);\n");
      expect(readFileSync(join(ws.root, "README.md"), "utf8")).toBe("# shop\n");
      expect(existsSync(join(ws.root, "passwd"))).toBe(false);
      expect(ws.skipped).toEqual([{ path: "passwd", reason: "symbolic link to /etc/passwd" }]);
      expect(ws.files).toBe(3);
      expect(ws.truncated).toBeUndefined();
    } finally {
      await ws.dispose();
    }
    expect(leftBehind()).toEqual([]);
  });

  it("stops git when a cap cuts the archive", async () => {
    const ws = await workspaceFromGit(new LocalRepo(repoDir), "main", { maxFiles: 1 });
    try {
      expect(ws.files).toBe(1);
      expect(ws.truncated).toBe("the archive has more than 1 files");
    } finally {
      await ws.dispose();
    }
  });

  it("fails with git's message on an unknown ref, leaving nothing behind", async () => {
    const failure = await workspaceFromGit(new LocalRepo(repoDir), "no-such-branch").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserInputError);
    expect((failure as Error).message).toMatch(/^git archive no-such-branch failed: fatal: .*no-such-branch/);
    expect(leftBehind()).toEqual([]);
  });

  it("refuses a ref that git would read as an option", async () => {
    await expect(workspaceFromGit(new LocalRepo(repoDir), "--output=/tmp/x.tar")).rejects.toThrow(UserInputError);
    expect(existsSync("/tmp/x.tar")).toBe(false);
  });
});

describe("workspaceFromGitHub", () => {
  /** What GitHub serves: `git archive` with the folder owner-repo-sha/ and a pax global header. */
  function githubTarball(): Buffer {
    return git("archive", "--format=tar.gz", "--prefix=acme-shop-0123abc/", "HEAD");
  }

  function clientServing(bytes: Buffer): { headTarball(): Promise<AsyncIterable<Uint8Array>> } {
    return {
      headTarball: () => {
        const body = new Response(bytes).body;
        return body ? Promise.resolve(body) : Promise.reject(new Error("no body"));
      },
    };
  }

  it("unpacks the head commit's tarball without its top-level folder", async () => {
    const ws = await workspaceFromGitHub(clientServing(githubTarball()));
    try {
      expect(readdirSync(ws.root).sort()).toEqual(["README.md", "db"]);
      expect(readFileSync(join(ws.root, "db", "migrations", "002_index.sql"), "utf8")).toContain("CONCURRENTLY");
      expect(ws.skipped).toEqual([{ path: "passwd", reason: "symbolic link to /etc/passwd" }]);
    } finally {
      await ws.dispose();
    }
  });

  it("applies the caps given", async () => {
    const ws = await workspaceFromGitHub(clientServing(githubTarball()), { maxFileBytes: 10 });
    try {
      expect(ws.files).toBe(1);
      expect(ws.skipped.map((s) => s.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^larger than 10 bytes/)]));
    } finally {
      await ws.dispose();
    }
  });

  it("reports an archive that cannot be read as GitHub's failure", async () => {
    const broken = githubTarball().subarray(0, 60);
    const failure = await workspaceFromGitHub(clientServing(broken)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect((failure as Error).message).toMatch(/^the head commit's archive could not be read: /);
    expect(leftBehind()).toEqual([]);
  });
});
