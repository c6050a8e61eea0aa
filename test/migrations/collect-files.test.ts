import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectFiles } from "../../src/migrations/collect-files.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import { FIXTURES_ROOT } from "./frameworks/load-fixture.js";

describe("what lint reads for a named file", () => {
  it("brings a sqitch deploy script's revert script from the folder beside it, as the review's gather does", async () => {
    const root = join(FIXTURES_ROOT, "frameworks/sqitch");
    const collected = await collectFiles(["deploy/users.sql"], root);
    expect([...collected.targets]).toEqual(["deploy/users.sql"]);
    expect(collected.files.map((file) => file.path).sort()).toEqual(["deploy/appschema.sql", "deploy/users.sql", "revert/users.sql"]);
    const [migration] = detectMigrations(collected.files).filter((m) => m.files.includes("deploy/users.sql"));
    expect([migration?.framework, migration?.sections.map((s) => `${s.direction} ${s.path}`)]).toEqual([
      "sqitch",
      ["up deploy/users.sql", "down revert/users.sql"],
    ]);
  });

  it("brings a Flyway versioned script's undo script, and no other file twice", async () => {
    const root = join(FIXTURES_ROOT, "frameworks/flyway/src/main/resources/db/migration");
    const collected = await collectFiles(["V1.1__add_email.sql"], root);
    const paths = collected.files.map((file) => file.path);
    expect(paths).toContain("U1.1__add_email.sql");
    expect(new Set(paths).size).toBe(paths.length);
    expect(collected.skipped).toEqual([]);
  });
});

describe("what lint reads for a folder", () => {
  it("reads the folder a framework keeps counterparts in beside it: linting sqitch's deploy/ brings revert/", async () => {
    const root = join(FIXTURES_ROOT, "frameworks/sqitch");
    const collected = await collectFiles(["deploy"], root);
    expect([...collected.targets].sort()).toEqual(["deploy/appschema.sql", "deploy/users.sql"]);
    expect(collected.files.map((file) => file.path)).toContain("revert/users.sql");
  });
});
