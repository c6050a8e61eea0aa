import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { replay } from "../../src/cli/commands/replay.js";
import type { CliIo } from "../../src/cli/io.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A golang-migrate folder in a temporary directory. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "de-cli-replay-"));
  dirs.push(dir);
  mkdirSync(join(dir, "db/migrations"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "db/migrations", name), text);
  return dir;
}

async function run(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd, env: { XDG_CACHE_HOME: join(cwd, ".cache") } };
  const code = await replay(args, io);
  return { code, out, err };
}

const CREATE = {
  "000001_accounts.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n",
  "000001_accounts.down.sql": "DROP TABLE accounts;\n",
};

describe("data-engineer replay", () => {
  it("replays every migration of a folder and reports the down that does not restore the schema, and the up that then cannot run again", async () => {
    const dir = folder({
      ...CREATE,
      "000002_nickname.up.sql": "ALTER TABLE accounts ADD COLUMN nickname text;\n",
      "000002_nickname.down.sql": "SELECT 1;\n",
    });

    const { code, out } = await run(dir, "--format", "json");

    const json = JSON.parse(out) as {
      status: string;
      migrations: Array<{ migration: string; restores: boolean }>;
      findings: Array<{ rule: string; path: string; message: string }>;
    };
    expect(code).toBe(1);
    expect(json.status).toBe("replayed");
    expect(json.migrations.map((m) => [m.migration, m.restores])).toEqual([
      ["000001_accounts", true],
      ["000002_nickname", false],
    ]);
    expect(json.findings.map((f) => [f.rule, f.path])).toEqual([
      ["replay-down-mismatch", "db/migrations/000002_nickname.down.sql"],
      ["replay-reapply-fails", "db/migrations/000002_nickname.up.sql"],
    ]);
    expect(json.findings[0]?.message).toContain("public.accounts.nickname");
  }, 120_000);

  it("exits 1 on an up that fails, and prints the replay's summary", async () => {
    const dir = folder({ ...CREATE, "000002_broken.up.sql": "ALTER TABLE acounts ADD COLUMN note text;\n", "000002_broken.down.sql": "SELECT 1;\n" });

    const { code, out } = await run(dir);

    expect(code).toBe(1);
    expect(out).toContain("replay-up-fails");
    expect(out).toContain('relation "acounts" does not exist');
    expect(out).toMatch(/Replay: 2 migrations replayed on PostgreSQL 18\.\d+ \(PGlite [\d.]+\)/);
  }, 120_000);

  it("refuses bad options with exit 2 and a reason", async () => {
    const dir = folder(CREATE);
    expect((await run(dir, "--engine", "oracle")).err).toContain("--engine must be pglite or postgres");
    expect((await run(dir, "--engine", "postgres")).code).toBe(2);
    expect((await run(dir, "--deadline", "1")).err).toContain("--deadline must be a whole number of seconds from 5 to 900");
  });
});
