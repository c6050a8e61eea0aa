import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_AGENT_MODEL } from "../../src/agent/agent-review.js";
import { createGeminiClient } from "../../src/agent/model/model-client.js";
import { BUNDLED_AGENT_FILE, createAgentRuntime } from "../../src/agent/runtime.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import { createRelevantFileMatcher, selectRelevantFiles, type ChangedFile } from "../../src/migrations/relevant-files.js";
import type { ReplayOutcome } from "../../src/replay/replay-migrations.js";
import type { ReplayRunner, VerifyInput } from "../../src/replay/verify.js";
import { addedFilePatch } from "../../src/report/diff-anchors.js";
import type { Head } from "../../src/review/head.js";
import { reviewHeadCommit, type HeadCommitReviewInput } from "../../src/review/pipeline.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import type * as EngineModule from "../../src/rules/engine.js";
import { fakeGemini, type FakeGemini } from "../helpers/fake-gemini.js";

/**
 * The review pipeline on its own: a head commit held in memory, the agent scripted at Gemini's
 * REST endpoint, the replay a recording double. The analysis is counted: it runs once, whatever
 * runs after it.
 */

vi.mock("../../src/rules/engine.js", async (importOriginal) => {
  const actual = await importOriginal<typeof EngineModule>();
  return { ...actual, analyzeMigrations: vi.fn(actual.analyzeMigrations) };
});

const UP = "db/migrations/000002_index.up.sql";
const DOWN = "db/migrations/000002_index.down.sql";
const HEAD_FILES: Record<string, string> = {
  "db/migrations/000001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n",
  "db/migrations/000001_orders.down.sql": "DROP TABLE orders;\n",
  [UP]: "CREATE INDEX orders_status_idx ON orders (status);\n",
  [DOWN]: "DROP INDEX orders_status_idx;\n",
  "app/models/order.py": "class Order:\n    status = Column(Text)\n",
};

const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")));

/** The head commit in memory; its workspace a temporary folder with the same files. */
function memoryHead(files: Record<string, string>): Head & { workspaces: number } {
  const head = {
    workspaces: 0,
    listFolder: (folder: string) =>
      Promise.resolve(
        Object.entries(files)
          .filter(([path]) => folderOf(path) === folder)
          .map(([path, text]) => ({ name: path.slice(path.lastIndexOf("/") + 1), path, size: Buffer.byteLength(text), type: "file" as const })),
      ),
    readFile: (path: string) => Promise.resolve(files[path]),
    openWorkspace: () => {
      head.workspaces++;
      const root = realpathSync(mkdtempSync(join(tmpdir(), "de-pipeline-head-")));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const bytes = Object.values(files).reduce((n, text) => n + Buffer.byteLength(text), 0);
      return Promise.resolve({
        root,
        files: Object.keys(files).length,
        bytes,
        skipped: [],
        dispose: () => Promise.resolve(rmSync(root, { recursive: true, force: true })),
      });
    },
  };
  return head;
}

/** The pull request adds the index migration, both halves. */
function input(overrides: Partial<HeadCommitReviewInput> & { config?: RepoConfig } = {}): HeadCommitReviewInput {
  const changed: ChangedFile[] = [UP, DOWN].map((path) => ({
    path,
    status: "added",
    additions: 1,
    deletions: 0,
    patch: addedFilePatch(HEAD_FILES[path] ?? ""),
  }));
  const config = overrides.config ?? DEFAULT_REPO_CONFIG;
  return {
    head: memoryHead(HEAD_FILES),
    headSha: "0123456789abcdef0123456789abcdef01234567",
    relevant: selectRelevantFiles(changed, createRelevantFileMatcher(config.paths.include, config.paths.exclude)),
    changed,
    listing: { listed: changed.length, changed: changed.length },
    config,
    posted: new Set(),
    pr: { number: 7, title: "Index orders by status", body: "", author: "octocat", baseRef: "main", headSha: "0123456789abcdef0123456789abcdef01234567" },
    log: pino({ level: "silent" }),
    ...overrides,
  };
}

const withReplay = (enabled: boolean): RepoConfig => ({ ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled } });

/** A replay that records what it was given and reports the down as not restoring the schema. */
function recordingReplay(): ReplayRunner & { inputs: VerifyInput[]; installations: Array<number | undefined> } {
  const inputs: VerifyInput[] = [];
  const installations: Array<number | undefined> = [];
  const outcome: ReplayOutcome = {
    status: "replayed",
    engine: "PostgreSQL 18.1 (PGlite 0.5.16)",
    findings: [
      {
        rule: "replay-down-mismatch",
        severity: "error",
        category: "rollback",
        path: DOWN,
        line: 1,
        endLine: 1,
        message: "After up and down, public.orders has index orders_status_idx2 it did not have.",
      },
    ],
    migrations: [{ migration: "000002_index", path: UP, up: "ok", down: "ok", restores: false, reapply: "ok", traced: 1, untraceable: 0 }],
    baseMigrations: 1,
    fromCache: false,
    locks: { compared: 1, stronger: [] },
    durationMs: 1_200,
  };
  return {
    inputs,
    installations,
    run: (request, options) => {
      inputs.push(request);
      installations.push(options.installationId);
      return Promise.resolve(outcome);
    },
  };
}

beforeEach(() => {
  vi.mocked(analyzeMigrations).mockClear();
});

describe("reviewHeadCommit", () => {
  let gemini: FakeGemini;
  beforeEach(() => {
    gemini = fakeGemini({ model: DEFAULT_AGENT_MODEL });
  });
  afterEach(() => gemini.stop());

  it("analyses once with the agent: the agent gets the analyser's findings, the review merges its report", async () => {
    gemini.reply({
      call: {
        name: "submit_handoff_report",
        args: {
          part1: {
            status: "success",
            objectiveAchieved: "Checked the index against the Order model.",
            decisionsMade: [],
            validation: "fail",
            errors: [],
            scopeDeviations: [],
          },
          part2: { keyInterfacesIntroduced: [], patternsEstablished: [], integrationPoints: [], assumptions: [], warnings: [] },
          findings: [{ path: "app/models/order.py", line: 2, severity: "note", category: "compatibility", message: "status is read by the model." }],
        },
      },
    });
    const settings = { backend: "gemini-api" as const, apiKey: "test-gemini-key", tokenBudget: 400_000 };
    const agent = createAgentRuntime(settings, createGeminiClient(settings, { sleep: () => Promise.resolve() }), BUNDLED_AGENT_FILE);
    const head = memoryHead(HEAD_FILES);

    const { review, agent: outcome } = await reviewHeadCommit(input({ head, agent }));

    gemini.assertDone();
    expect(analyzeMigrations).toHaveBeenCalledTimes(1);
    expect(outcome?.run.report).toBeDefined();
    // The agent's task lists the analyser's finding it starts from.
    const task = gemini.requests[0]?.contents[0]?.parts?.map((p) => p.text).join("") ?? "";
    expect(task).toContain("require-concurrent-index");
    // The analyser's facts reach the model as data: the statement's lock, what it blocks, the transaction mode.
    expect(task).toContain("What the analyser computed (trusted facts");
    expect(task).toMatch(/db\/migrations\/000002_\w+\.up\.sql:\d+ IndexStmt: SHARE on orders \(blocks every INSERT, UPDATE and DELETE\)/);
    expect(task).toContain("transaction mode none");
    expect(review.findings.map((f) => f.rule)).toContain("require-concurrent-index");
    expect(review.findings.filter((f) => f.origin === "agent").map((f) => `${f.path}:${f.line}`)).toEqual(["app/models/order.py:2"]);
    expect(review.body).toContain("Checked the index against the Order model.");
    expect(review.check.output.summary).toContain("**Agent:**");
    expect(head.workspaces).toBe(1);
  });

  it("leaves the agent out when the repository turns it off, and analyses once all the same", async () => {
    const settings = { backend: "gemini-api" as const, apiKey: "test-gemini-key", tokenBudget: 400_000 };
    const agent = createAgentRuntime(settings, createGeminiClient(settings, { sleep: () => Promise.resolve() }), BUNDLED_AGENT_FILE);
    const config = { ...DEFAULT_REPO_CONFIG, agent: { ...DEFAULT_REPO_CONFIG.agent, enabled: false } };

    const { review, agent: outcome } = await reviewHeadCommit(input({ agent, config }));

    expect(outcome).toBeUndefined();
    expect(gemini.requests).toHaveLength(0);
    expect(analyzeMigrations).toHaveBeenCalledTimes(1);
    expect(review.body).not.toContain("Agent:");
  });
});

describe("the verify step of reviewHeadCommit", () => {
  it("replays the whole migration folder read from the head's tree, and the review carries its findings and its sentence", async () => {
    const replay = recordingReplay();
    const head = memoryHead(HEAD_FILES);

    const { review, replay: outcome } = await reviewHeadCommit(input({ head, replay, config: withReplay(true), installationId: 4242 }));

    expect(replay.inputs).toHaveLength(1);
    // Replay slots are shared fairly between installations: the runner is told whose replay it is.
    expect(replay.installations).toEqual([4242]);
    const [request] = replay.inputs;
    expect(request?.files.map((f) => f.path).sort()).toEqual(
      Object.keys(HEAD_FILES)
        .filter((p) => p.startsWith("db/migrations/"))
        .sort(),
    );
    expect(request?.changed).toEqual(new Set([UP, DOWN]));
    expect(head.workspaces).toBe(1);
    expect(outcome?.status).toBe("replayed");
    expect(review.findings.map((f) => f.rule)).toContain("replay-down-mismatch");
    expect(review.comments.filter((c) => c.body.includes("replay-down-mismatch")).map((c) => `${c.path}:${c.line}`)).toEqual([`${DOWN}:1`]);
    expect(review.check.output.summary).toContain("Replay: 1 migration replayed on PostgreSQL 18.1 (PGlite 0.5.16) over a base of 1 migration in 1.2 s");
    expect(review.body).toContain("Replay: 1 migration replayed on PostgreSQL 18.1");
    expect(review.check.conclusion).toBe("failure");
    expect(analyzeMigrations).toHaveBeenCalledTimes(1);
  });

  it("does not replay when the repository does not enable it", async () => {
    const replay = recordingReplay();
    const head = memoryHead(HEAD_FILES);

    const { review, replay: outcome } = await reviewHeadCommit(input({ head, replay, config: withReplay(false) }));

    expect(replay.inputs).toEqual([]);
    expect(outcome).toBeUndefined();
    expect(head.workspaces).toBe(0);
    expect(review.body).not.toContain("Replay");
  });

  it("says the replay did not run when the repository enables it and this process has no replay", async () => {
    const { review } = await reviewHeadCommit(input({ config: withReplay(true) }));
    expect(review.check.output.summary).toContain("Replay: not run (this server does not replay migrations).");
    expect(review.body).toContain("Replay: not run \\(this server does not replay migrations\\).");
  });

  it("runs no step after the review is aborted", async () => {
    const replay = recordingReplay();
    const controller = new AbortController();
    const inMemory = memoryHead(HEAD_FILES);
    const head: Head = {
      ...inMemory,
      readFile: (path) => {
        controller.abort(new Error("superseded"));
        return inMemory.readFile(path);
      },
    };

    await expect(reviewHeadCommit(input({ head, replay, config: withReplay(true), signal: controller.signal }))).rejects.toThrow("superseded");
    expect(analyzeMigrations).not.toHaveBeenCalled();
    expect(replay.inputs).toEqual([]);
  });
});
