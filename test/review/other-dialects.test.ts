import pino from "pino";
import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from "../../src/config/repo-config.js";
import { createRelevantFileMatcher, selectRelevantFiles, type ChangedFile } from "../../src/migrations/relevant-files.js";
import { addedFilePatch } from "../../src/report/diff-anchors.js";
import type { Head } from "../../src/review/head.js";
import { reviewHeadCommit } from "../../src/review/pipeline.js";
import { loadSqlParser } from "../../src/sql/parse.js";

/**
 * The review of a pull request that adds one migration for every database a pop repository
 * supports: only PostgreSQL is reviewed; the others are listed in the check run and the review
 * body as not reviewed, with why, and do not make the review partial.
 */

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const FOLDER = "persistence/sql/migrations/sql";
const V = `${FOLDER}/20240102000000_accounts_email`;
const FILES: Record<string, string> = {
  [`${FOLDER}/20240101000000_accounts.up.sql`]: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n",
  [`${FOLDER}/20240101000000_accounts.down.sql`]: "DROP TABLE accounts;\n",
  [`${V}.postgres.up.sql`]: "CREATE INDEX accounts_email_idx ON accounts (email);\n",
  [`${V}.postgres.down.sql`]: "DROP INDEX accounts_email_idx;\n",
  [`${V}.mysql.up.sql`]: "ALTER TABLE `accounts` ADD INDEX `accounts_email_idx` (`email`(191));\n",
  [`${V}.mysql.down.sql`]: "ALTER TABLE `accounts` DROP INDEX `accounts_email_idx`;\n",
  [`${V}.sqlite3.up.sql`]: "CREATE INDEX accounts_email_idx ON accounts (email);\n",
  [`${V}.cockroach.up.sql`]: "CREATE INDEX accounts_email_idx ON accounts (email);\n",
};
const CHANGED = Object.keys(FILES).filter((path) => path.startsWith(V));
const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")));

const head: Head = {
  listFolder: (folder) =>
    Promise.resolve(
      Object.entries(FILES)
        .filter(([path]) => folderOf(path) === folder)
        .map(([path, text]) => ({ name: path.slice(path.lastIndexOf("/") + 1), path, size: text.length, type: "file" as const })),
    ),
  readFile: (path) => Promise.resolve(FILES[path]),
  openWorkspace: () => Promise.reject(new Error("no workspace in this test")),
};

async function review(config: RepoConfig) {
  const changed: ChangedFile[] = CHANGED.map((path) => ({ path, status: "added", additions: 1, deletions: 0, patch: addedFilePatch(FILES[path] ?? "") }));
  return reviewHeadCommit({
    head,
    headSha: "0123456789abcdef0123456789abcdef01234567",
    relevant: selectRelevantFiles(changed, createRelevantFileMatcher(config.paths.include, config.paths.exclude)),
    changed,
    listing: { listed: changed.length, changed: changed.length },
    config,
    posted: new Set(),
    pr: { number: 1, title: "Index accounts by email", body: "", author: "octocat", baseRef: "main", headSha: "0123456789abcdef0123456789abcdef01234567" },
    log: pino({ level: "silent" }),
  });
}

describe("a pull request with migrations for several databases", () => {
  it("reviews the PostgreSQL files only and lists the others as not reviewed, without making the review partial", async () => {
    const { review: built } = await review(DEFAULT_REPO_CONFIG);
    expect(new Set(built.findings.map((f) => f.path))).toEqual(new Set([`${V}.postgres.up.sql`]));
    expect(built.findings.some((f) => f.rule === "syntax-error")).toBe(false);
    // Markdown-escaped: plainText() escapes parentheses.
    const summary = built.check.output.summary.replaceAll("\\(", "(").replaceAll("\\)", ")");
    expect(summary).toContain(`- \`${V}.mysql.up.sql\`: MySQL migration (file name says .mysql.): not reviewed, data-engineer reads PostgreSQL`);
    expect(summary).toContain(`- \`${V}.sqlite3.up.sql\`: SQLite migration (file name says .sqlite3.)`);
    expect(summary).toContain(`- \`${V}.cockroach.up.sql\`: CockroachDB migration (file name says .cockroach.)`);
    expect(summary).not.toContain("Only part of this pull request was reviewed");
    expect(built.check.output.title).not.toContain("partial");
    expect(built.body).toContain(`not reviewed: \`${V}.mysql.down.sql\`: MySQL migration`);
    expect(built.body).toMatch(/- \*\*Status\*\*: (passed|changes requested) — [^\n]*\n/);
    expect(built.body).not.toMatch(/- \*\*Status\*\*: [^\n]*partial/);
  });

  it("reviews CockroachDB files as PostgreSQL when the configuration says so", async () => {
    const { review: built } = await review(parseRepoConfig({ dialects: { "**/*.cockroach.*.sql": "postgres" } }));
    expect(built.findings.filter((f) => f.rule === "require-concurrent-index").map((f) => f.path)).toContain(`${V}.cockroach.up.sql`);
    expect(built.check.output.summary).not.toContain(`${V}.cockroach.up.sql\`: CockroachDB`);
  });
});
