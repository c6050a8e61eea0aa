import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import { collectFiles } from "../../src/migrations/collect-files.js";
import type { LockComparison } from "../../src/replay/replay-migrations.js";
import { createReplayRunner } from "../../src/replay/runner.js";
import { loadSqlParser } from "../../src/sql/parse.js";

/**
 * The static lock model against the locks Postgres really takes, through the replay itself, over
 * every migration fixture folder (one per framework, and the demo folders): each folder's
 * plain-SQL migrations are replayed in order, every statement's relation locks are read from
 * pg_locks and compared with the model's. The agreement is printed. Every case where Postgres
 * took a stronger lock than the model predicted must be listed in EXPLAINED with the reason, or
 * fixed in the model; a new one fails the test. (The statement catalogue, 201 statements, is
 * compared one by one in test/sql/locks-pglite.test.ts.)
 */

await loadSqlParser();

const FIXTURES = resolve("test/fixtures");
const folders = ["frameworks", "lint-demo"].flatMap((group) => readdirSync(join(FIXTURES, group)).map((name) => `${group}/${name}`));
const cacheDir = mkdtempSync(join(tmpdir(), "de-agreement-cache-"));
const runner = createReplayRunner({ env: {}, cacheDir });
const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { enabled: true, engine: "pglite", deadlineSeconds: 120 } };

/** Stronger-than-predicted locks that are understood, by `folder path:line relation`. */
const EXPLAINED: Record<string, string> = {};

const tally = { folders: 0, replayed: 0, compared: 0, stronger: [] as Array<LockComparison & { folder: string }>, unavailable: [] as string[] };

afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
  const agreed = tally.compared - tally.stronger.length;
  process.stdout.write(
    `static lock model vs replay: ${agreed} of ${tally.compared} relation locks agree (${tally.compared === 0 ? "-" : ((100 * agreed) / tally.compared).toFixed(1)}%) ` +
      `over ${tally.replayed} fixture folders replayed of ${tally.folders}` +
      (tally.unavailable.length > 0 ? `; not replayed: ${tally.unavailable.join("; ")}` : "") +
      "\n",
  );
  for (const s of tally.stronger)
    process.stdout.write(`  stronger: ${s.folder} ${s.path}:${s.line} ${s.relation} traced ${s.traced}, predicted ${s.predicted ?? "none"}\n`);
});

describe("the static lock model against replayed locks", () => {
  it.each(folders)(
    "%s",
    async (folder) => {
      tally.folders++;
      const root = join(FIXTURES, folder);
      const { files } = await collectFiles(["."], root);
      const outcome = await runner.run({ files, changed: "all", config }, {});
      if (outcome.status === "skipped") return; // no plain-SQL migration (an ORM's fixture)
      if (outcome.status === "unavailable") {
        tally.unavailable.push(`${folder}: ${outcome.reason ?? ""}`);
        return;
      }
      tally.replayed++;
      tally.compared += outcome.locks.compared;
      const unexplained = outcome.locks.stronger
        .map((s) => ({ ...s, folder }))
        .filter((s) => {
          tally.stronger.push(s);
          return EXPLAINED[`${folder} ${s.path}:${s.line} ${s.relation}`] === undefined;
        });
      expect(unexplained).toEqual([]);
    },
    120_000,
  );
});
