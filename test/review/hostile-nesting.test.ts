import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import { createRelevantFileMatcher, selectRelevantFiles, type ChangedFile } from "../../src/migrations/relevant-files.js";
import { addedFilePatch } from "../../src/report/diff-anchors.js";
import type { Head } from "../../src/review/head.js";
import type { ReplayRunner } from "../../src/replay/verify.js";
import { reviewHeadCommit } from "../../src/review/pipeline.js";
import { MAX_COMMENT_NESTING } from "../../src/sql/comment-nesting.js";

/**
 * A migration of deeply nested comments (Postgres lets block comments nest; libpg-query's scanner
 * takes time quadratic in the depth) never reaches the parser: the review lists it as not reviewed
 * with the reason, and the check fails rather than passing a file nobody could read.
 */

const HOSTILE = "db/migrations/000002_nested.up.sql";
const FINE = "db/migrations/000003_index.up.sql";
// 60 000 levels: the shape of the 234 KB file that held the event loop for 29 s.
const DEPTH = 60_000;
const FILES: Record<string, string> = {
  [HOSTILE]: `${"/*".repeat(DEPTH)}\n${"*/".repeat(DEPTH)}\nDROP TABLE orders;\n`,
  [FINE]: "CREATE INDEX orders_status_idx ON orders (status);\n",
};

const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")));

const head: Head = {
  listFolder: (folder) =>
    Promise.resolve(
      Object.entries(FILES)
        .filter(([path]) => folderOf(path) === folder)
        .map(([path, text]) => ({ name: path.slice(path.lastIndexOf("/") + 1), path, size: Buffer.byteLength(text), type: "file" as const })),
    ),
  readFile: (path) => Promise.resolve(FILES[path]),
  openWorkspace: () => Promise.reject(new Error("no workspace in this test")),
};

/** A head whose workspace holds FILES on disk, as the replay reads whole migration folders from it. */
function headWithWorkspace(): Head {
  return {
    ...head,
    openWorkspace: async () => {
      const root = await mkdtemp(join(tmpdir(), "de-nesting-"));
      for (const [path, text] of Object.entries(FILES)) {
        await mkdir(join(root, folderOf(path)), { recursive: true });
        await writeFile(join(root, path), text);
      }
      return { root, files: Object.keys(FILES).length, bytes: 0, skipped: [], dispose: () => rm(root, { recursive: true, force: true }) };
    },
  };
}

function review(config: RepoConfig, overrides: Partial<Parameters<typeof reviewHeadCommit>[0]> = {}) {
  const changed: ChangedFile[] = [HOSTILE, FINE].map((path) => ({
    path,
    status: "added",
    additions: 3,
    deletions: 0,
    patch: addedFilePatch(FILES[path] ?? ""),
  }));
  return reviewHeadCommit({
    head,
    headSha: "0123456789abcdef0123456789abcdef01234567",
    relevant: selectRelevantFiles(changed, createRelevantFileMatcher(config.paths.include, config.paths.exclude)),
    changed,
    listing: { listed: changed.length, changed: changed.length },
    config,
    posted: new Set(),
    pr: { number: 9, title: "Nested comments", body: "", author: "mallory", baseRef: "main", headSha: "0123456789abcdef0123456789abcdef01234567" },
    log: pino({ level: "silent" }),
    ...overrides,
  });
}

describe("a migration of deeply nested comments", () => {
  it("is listed as not reviewed with the reason, and the other migration is still reviewed", async () => {
    const { review: built } = await review(DEFAULT_REPO_CONFIG);
    expect(built.analysis.migrations.flatMap((m) => m.migration.files)).toEqual([FINE]);
    expect(built.body).toContain(HOSTILE);
    expect(built.body).toContain(`comments nested ${DEPTH} deep, more than ${MAX_COMMENT_NESTING}: refused unparsed`);
    expect(built.check.output.summary).toContain(`comments nested ${DEPTH} deep`);
    // The DROP TABLE behind the comments was never parsed, so no finding can sit on it.
    expect(built.findings.filter((f) => f.path === HOSTILE)).toEqual([]);
  });

  it("fails the check: a file refused as hostile could hide any statement, and neutral would pass a required check", async () => {
    const { review: built } = await review(DEFAULT_REPO_CONFIG);
    expect(built.check.conclusion).toBe("failure");
    expect(built.check.output.title).toContain("1 file refused as hostile");
  });

  it("is not handed to the replay, which parses whole folders on this thread: the replay says why it did not run", async () => {
    const runs: unknown[] = [];
    const runner: ReplayRunner = {
      run: (request) => {
        runs.push(request);
        return Promise.reject(new Error("the replay must not run"));
      },
    };
    const config = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true } };
    const { review: built, replay } = await review(config, { head: headWithWorkspace(), replay: runner });
    expect(runs).toEqual([]);
    expect(replay?.status).toBe("unavailable");
    expect(replay?.reason).toContain(`${HOSTILE}: comments nested ${DEPTH} deep`);
    expect(built.check.conclusion).toBe("failure");
  });

  it("is neutral, not success, when the repository makes the check advisory", async () => {
    const { review: built } = await review({ ...DEFAULT_REPO_CONFIG, failOn: "never" });
    expect(built.check.conclusion).toBe("neutral");
  });
});
