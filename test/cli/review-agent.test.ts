import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_AGENT_MODEL } from "../../src/agent/agent-review.js";
import { review } from "../../src/cli/commands/review.js";
import { fakeGemini, type FakeGemini } from "../helpers/fake-gemini.js";

/** `data-engineer review` with GEMINI_API_KEY: the agent reads the git tree at --head. */

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const dir = mkdtempSync(join(tmpdir(), "de-review-agent-"));
const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: "pipe" });
const write = (files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
};
git("init", "-q", "-b", "main");
write({ "db/migrations/000001_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n", "db/migrations/000001_init.down.sql": "DROP TABLE orders;\n" });
git("add", "-A");
git("commit", "-q", "-m", "base");
git("checkout", "-q", "-b", "feature");
write({
  "db/migrations/000002_status.up.sql": "ALTER TABLE orders ADD COLUMN IF NOT EXISTS status text;\n",
  "db/migrations/000002_status.down.sql": "ALTER TABLE orders DROP COLUMN IF EXISTS status;\n",
  "app/models/order.py": "class Order:\n    state = Column(Text)\n",
});
symlinkSync("/etc/passwd", join(dir, "passwd"));
git("add", "-A");
git("commit", "-q", "-m", "change");

let gemini: FakeGemini;

beforeEach(() => {
  gemini = fakeGemini({ model: DEFAULT_AGENT_MODEL });
});
afterEach(() => gemini.stop());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runReview(env: NodeJS.ProcessEnv, ...extra: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd: dir, env };
  return review(["--base", "main", "--format", "json", ...extra], io).then((code) => ({ code, out: out.join(""), err: err.join("") }));
}

describe("data-engineer review with the agent", () => {
  it("runs the agent on the tree at --head and prints its report", async () => {
    gemini.reply(
      {
        calls: [
          { name: "read_file", args: { file_path: "app/models/order.py" } },
          { name: "read_file", args: { file_path: "passwd" } },
        ],
      },
      {
        call: {
          name: "submit_handoff_report",
          args: {
            part1: {
              status: "success",
              objectiveAchieved: "Checked the status column against the Order model.",
              decisionsMade: [],
              validation: "pass",
              errors: [],
              scopeDeviations: [],
            },
            part2: {
              keyInterfacesIntroduced: [],
              patternsEstablished: [],
              integrationPoints: ["app/models/order.py maps state, not status"],
              assumptions: [],
              warnings: [],
            },
            findings: [
              { path: "db/migrations/000002_status.up.sql", line: 1, severity: "warning", category: "compatibility", message: "Nothing writes status yet." },
            ],
          },
        },
      },
    );
    const ran = await runReview({ GEMINI_API_KEY: "local-key" });
    gemini.assertDone();
    expect(ran.err).toBe("");
    const printed = JSON.parse(ran.out) as { review: { body: string; comments: Array<{ body: string }> }; findings: Array<{ rule: string; origin?: string }> };
    expect(printed.review.body).toContain("Checked the status column against the Order model.");
    expect(printed.findings).toContainEqual(expect.objectContaining({ rule: "agent/compatibility", origin: "agent" }));
    // The symlink to /etc/passwd is not in the workspace: git archive's entry was skipped.
    const passwd = gemini.requests[1]?.contents.at(-1)?.parts?.[1]?.functionResponse?.response as Record<string, unknown>;
    expect(passwd).toHaveProperty("error");
    expect(JSON.stringify(gemini.requests)).not.toContain("root:x:0:0");
  });

  it("leaves the agent out with --no-agent, and without a key", async () => {
    for (const [env, extra] of [
      [{ GEMINI_API_KEY: "local-key" }, ["--no-agent"]],
      [{}, []],
    ] as const) {
      const ran = await runReview(env, ...extra);
      expect(ran.code).toBe(0);
      expect(ran.out).not.toContain("data-engineer agent");
    }
    expect(gemini.requests).toHaveLength(0);
  });
});
