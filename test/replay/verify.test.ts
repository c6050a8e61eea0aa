import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { createReplayRunner } from "../../src/replay/runner.js";
import { loadSqlParser } from "../../src/sql/parse.js";

await loadSqlParser();

/** Replays run on the real embedded Postgres (PGlite in a worker), one engine per replay; base images in a folder of this file's own. */
const cacheDir = mkdtempSync(join(tmpdir(), "de-replay-cache-"));
const runner = createReplayRunner({ env: {}, cacheDir });

const config = (replay: Partial<RepoConfig["replay"]> = {}): RepoConfig => ({
  ...DEFAULT_REPO_CONFIG,
  replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true, ...replay },
});

/** A Diesel folder: migrations/<version>_<name>/{up,down}.sql. */
function diesel(migrations: Record<string, { up: string; down: string }>): SourceFile[] {
  return Object.entries(migrations).flatMap(([name, m]) => [
    { path: `migrations/${name}/up.sql`, text: m.up },
    { path: `migrations/${name}/down.sql`, text: m.down },
  ]);
}

const BASE = {
  "2026-01-01-000000_create_users": {
    up: "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE TABLE users (\n  id bigint PRIMARY KEY,\n  name text NOT NULL,\n  age integer,\n  bio text,\n  feeling mood\n);\n",
    down: "DROP TABLE users;\nDROP TYPE mood;\n",
  },
};

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("verify by replay (PGlite)", () => {
  it("reports each difference a down leaves: a type change, an enum value and a dropped column it forgot", async () => {
    const files = diesel({
      ...BASE,
      "2026-02-01-000000_reshape_users": {
        up: "ALTER TABLE users ALTER COLUMN age TYPE bigint;\nALTER TYPE mood ADD VALUE 'ecstatic';\nALTER TABLE users DROP COLUMN bio;\nCREATE INDEX users_name ON users (name);\n",
        down: "DROP INDEX users_name;\n",
      },
    });
    const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));

    const outcome = await runner.run({ files, changed, config: config() }, {});

    expect(outcome.status).toBe("replayed");
    expect(outcome.baseMigrations).toBe(1);
    const mismatches = outcome.findings.filter((f) => f.rule === "replay-down-mismatch");
    expect(mismatches).toHaveLength(3);
    const text = mismatches.map((f) => f.message).join("\n");
    expect(text).toMatch(/age/);
    expect(text).toMatch(/bigint/);
    expect(text).toMatch(/ecstatic/);
    expect(text).toMatch(/bio/);
    expect(mismatches.every((f) => f.path === "migrations/2026-02-01-000000_reshape_users/down.sql" && f.line === 1)).toBe(true);
    expect(outcome.migrations).toMatchObject([{ up: "ok", down: "ok", restores: false, reapply: "failed" }]);
  }, 120_000);

  it("finds nothing wrong with a down that undoes its up, and up applies again", async () => {
    const files = diesel({
      ...BASE,
      "2026-02-01-000000_add_email": {
        up: "ALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email ON users (email);\n",
        down: "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;\n",
      },
    });
    const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));

    const outcome = await runner.run({ files, changed, config: config() }, {});

    expect(outcome.status).toBe("replayed");
    expect(outcome.findings.filter((f) => f.rule.startsWith("replay-") && f.rule !== "replay-traced-lock")).toEqual([]);
    expect(outcome.migrations).toMatchObject([{ up: "ok", down: "ok", restores: true, reapply: "ok" }]);
    expect(outcome.migrations[0]?.traced).toBe(2);

    // Built fresh with an empty cache, then from the image that run stored: the same result.
    const ownCache = mkdtempSync(join(tmpdir(), "de-replay-cache-"));
    try {
      const fresh = createReplayRunner({ env: {}, cacheDir: ownCache });
      const built = await fresh.run({ files, changed, config: config() }, {});
      const cached = await fresh.run({ files, changed, config: config() }, {});
      expect([built.fromCache, cached.fromCache]).toEqual([false, true]);
      expect(cached.migrations).toEqual(built.migrations);
      expect(cached.findings).toEqual(built.findings);
      expect(built.migrations).toEqual(outcome.migrations);
    } finally {
      rmSync(ownCache, { recursive: true, force: true });
    }
  }, 120_000);

  it("puts a down's finding on the up when the pull request leaves the down file as it is", async () => {
    const files = diesel({
      ...BASE,
      "2026-02-01-000000_add_email": { up: "\nALTER TABLE users ADD COLUMN email text;\n", down: "SELECT 1;\n" },
    });
    const changed = new Set(["migrations/2026-02-01-000000_add_email/up.sql"]);

    const outcome = await runner.run({ files, changed, config: config() }, {});

    const mismatch = outcome.findings.filter((f) => f.rule === "replay-down-mismatch");
    expect(mismatch.map((f) => [f.path, f.line])).toEqual([["migrations/2026-02-01-000000_add_email/up.sql", 2]]);
  }, 120_000);

  it("applies the repository's rule settings to the replay's findings", async () => {
    const files = diesel({ ...BASE, "2026-02-01-000000_add_email": { up: "ALTER TABLE users ADD COLUMN email text;\n", down: "SELECT 1;\n" } });
    const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));
    const rules = (settings: RepoConfig["rules"]): RepoConfig => ({ ...config(), rules: settings });

    const off = await runner.run({ files, changed, config: rules({ "replay-down-mismatch": "off", "replay-reapply-fails": "warning" }) }, {});

    expect(off.findings.map((f) => [f.rule, f.severity])).toEqual([["replay-reapply-fails", "warning"]]);
  }, 120_000);

  it("reports an up that fails with Postgres's error and the line it fails on", async () => {
    const files = diesel({
      ...BASE,
      "2026-02-01-000000_broken": {
        up: "ALTER TABLE users ADD COLUMN email text;\n\nALTER TABLE accounts\n  ADD COLUMN owner bigint;\n",
        down: "ALTER TABLE users DROP COLUMN email;\n",
      },
    });
    const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));

    const outcome = await runner.run({ files, changed, config: config() }, {});

    const [failure] = outcome.findings.filter((f) => f.rule === "replay-up-fails");
    expect(failure).toMatchObject({ path: "migrations/2026-02-01-000000_broken/up.sql", line: 3, severity: "error" });
    expect(failure?.message).toContain('relation "accounts" does not exist');
    expect(outcome.migrations).toMatchObject([{ up: "failed", down: "none" }]);
  }, 120_000);

  it.each([
    ["a sleep", "SELECT pg_sleep(600);\n"],
    ["a runaway recursive query", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r;\n"],
  ])(
    "ends %s at the deadline and says the replay is unavailable",
    async (_what, statement) => {
      const files = diesel({ ...BASE, "2026-02-01-000000_slow": { up: statement, down: "SELECT 1;\n" } });
      const changed = new Set(files.filter((f) => f.path.includes("2026-02-01")).map((f) => f.path));
      const started = performance.now();

      const outcome = await runner.run({ files, changed, config: config({ deadlineSeconds: 8 }) }, {});

      expect(performance.now() - started).toBeLessThan(60_000);
      expect(outcome.status).toBe("unavailable");
      expect(outcome.reason).toMatch(/8 s|deadline/);
      expect(outcome.findings).toEqual([]);
    },
    120_000,
  );
});
