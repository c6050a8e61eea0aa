import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runBuilt } from "../helpers/run-built.js";

describe("data-engineer agents check", () => {
  it("validates the bundled definition and the seed", () => {
    const ran = runBuilt("cli/main.js", ["agents", "check", "agents/data-engineer.md", "test/fixtures/agents/seed-data-engineer.md"]);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain("ok       agents/data-engineer.md (data-engineer, 5 tools)");
    expect(ran.stdout).toContain("write_file, replace, run_shell_command, write_todos, ask_user, google_web_search are not available");
    expect(ran.stdout).toContain("2 valid, 0 invalid");
  });

  it("exits 1 and names file and key for a broken definition", () => {
    const dir = mkdtempSync(join(tmpdir(), "de-agents-"));
    writeFileSync(join(dir, "typo.md"), "---\nname: x\nkind: local\ndescription: d\ntools: []\nmax_turn: 3\n---\nPrompt\n");
    const ran = runBuilt("cli/main.js", ["agents", "check", "typo.md"], { cwd: dir });
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain("invalid  typo.md");
    expect(ran.stdout).toContain('unknown key "max_turn" (did you mean "max_turns"?)');
  });

  it("checks ./agents by default, else the bundled definitions", () => {
    const ran = runBuilt("cli/main.js", ["agents", "check"], { cwd: mkdtempSync(join(tmpdir(), "de-agents-")) });
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain(`${ROOT}agents/data-engineer.md`);
  });
});

describe("data-engineer", () => {
  it("exits 2 with usage for an unknown command", () => {
    const ran = runBuilt("cli/main.js", ["frobnicate"]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain("Unknown command: frobnicate");
    expect(ran.stderr).toContain("Usage: data-engineer");
  });

  it("runs the demo: the check run and the full review for a sample pull request", () => {
    const ran = runBuilt("cli/main.js", ["demo"]);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/Check run "data-engineer": failure — \d+ errors?, \d+ warnings?/);
    expect(ran.stdout).toContain("--- db/migrations/20261101120000_add_order_status.up.sql:5");
    for (const rule of [
      "require-concurrent-index",
      "require-not-valid-foreign-key",
      "missing-rollback",
      "empty-rollback",
      "rollback-mismatch",
      "add-required-column",
    ]) {
      expect(ran.stdout).toContain(`[\`${rule}\`]`);
    }
    // golang-migrate sends the file as one query: Postgres would refuse CONCURRENTLY beside the
    // other statements, so no such suggestion; the help says to put the index in a file of its own.
    expect(ran.stdout).not.toContain("```suggestion\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);");
    expect(ran.stdout).toContain("alone in a migration file of its own");
    expect(ran.stdout).toContain(
      "```suggestion\nALTER TABLE orders\n  ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
    );
    // The down drops `state` where the up added `status`: a typo, whose fix is certain.
    expect(ran.stdout).toContain("ALTER TABLE orders DROP COLUMN status;");
    expect(ran.stdout).toContain("### Part 1 — Task Report");
    expect(ran.stdout).toContain("about 40 s (40,000,000 rows)".replace(/[()]/g, (c) => `\\${c}`));
  });
});
