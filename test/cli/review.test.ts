import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBuilt } from "../helpers/run-built.js";

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

function repoWith(base: Record<string, string>, branch: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "de-review-"));
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: "pipe" });
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  git("init", "-q", "-b", "main");
  write(base);
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "feature");
  write(branch);
  git("add", "-A");
  git("commit", "-q", "-m", "change");
  return dir;
}

describe("data-engineer review", () => {
  const dir = repoWith(
    {
      "README.md": "# shop\n",
      "db/migrations/000001_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
      "db/migrations/000001_init.down.sql": "DROP TABLE orders;\n",
      ".github/data-engineer.yml": "failOn: warning\n",
    },
    {
      "db/migrations/000002_index.up.sql": "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n",
      ".github/data-engineer.yml": "failOn: never\n", // a branch cannot loosen its own review
    },
  );

  it("prints the review the app would post and fails like the check would", () => {
    const ran = runBuilt("cli/main.js", ["review", "--repo", dir, "--base", "main"]);
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(1);
    expect(ran.stdout).toMatch(/^Check run "data-engineer": failure/);
    expect(ran.stdout).toContain("--- db/migrations/000002_index.up.sql:2");
    expect(ran.stdout).toContain("require-concurrent-index");
    expect(ran.stdout).toContain("missing-rollback");
    expect(ran.stdout).toContain("### Part 1 — Task Report");
  });

  it("writes JSON with the verdict, the comments and the findings", () => {
    const ran = runBuilt("cli/main.js", ["review", "--repo", dir, "--base", "main", "--format", "json"]);
    const json = JSON.parse(ran.stdout) as { check: { conclusion: string }; review: { comments: Array<{ path: string; line: number }> }; findings: unknown[] };
    expect(json.check.conclusion).toBe("failure");
    expect(json.review.comments.map((c) => `${c.path}:${c.line}`)).toContain("db/migrations/000002_index.up.sql:2");
    expect(json.findings.length).toBeGreaterThan(0);
  });

  it("exits 2 on a base that does not exist", () => {
    const ran = runBuilt("cli/main.js", ["review", "--repo", dir, "--base", "no-such-branch"]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain("no-such-branch is not a commit");
  });

  it("writes the findings as SARIF with repository-relative locations", () => {
    const ran = runBuilt("cli/main.js", ["review", "--repo", dir, "--base", "main", "--format", "sarif"]);
    expect(ran.status).toBe(1);
    const sarif = JSON.parse(ran.stdout) as {
      version: string;
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }>;
      }>;
    };
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    const index = run?.results.find((r) => r.ruleId === "require-concurrent-index");
    expect(index?.locations[0]?.physicalLocation).toMatchObject({ artifactLocation: { uri: "db/migrations/000002_index.up.sql" }, region: { startLine: 2 } });
    for (const result of run?.results ?? []) expect(run?.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  it("takes the configuration from --config and the threshold from --fail-on", () => {
    const config = join(mkdtempSync(join(tmpdir(), "de-review-config-")), "config.yml");
    writeFileSync(config, "failOn: never\n");
    expect(runBuilt("cli/main.js", ["review", "--repo", dir, "--base", "main", "--config", config]).status).toBe(0);
    const json = (args: string[]) =>
      JSON.parse(runBuilt("cli/main.js", ["review", "--repo", dir, "--base", "main", "--format", "json", ...args]).stdout) as { check: { conclusion: string } };
    expect(json(["--fail-on", "never"]).check.conclusion).toBe("success");
    expect(json(["--config", config, "--fail-on", "warning"]).check.conclusion).toBe("failure");
  });

  it("exits 2 on options that do not go together or take no such value", () => {
    const usage = (args: string[], message: string) => {
      const ran = runBuilt("cli/main.js", ["review", "--repo", dir, "--base", "main", ...args]);
      expect(ran.status).toBe(2);
      expect(ran.stderr).toContain(message);
    };
    usage(["--sarif", "out.sarif"], "--sarif FILE goes with --github");
    usage(["--format", "xml"], 'not "xml"');
    usage(["--fail-on", "notes"], 'not "notes"');
    usage(["--config", "no-such.yml"], "no-such.yml: cannot be read");
  });
});
