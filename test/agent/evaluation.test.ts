import pino from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { quotedCode } from "../../src/agent/finding-placement.js";
import type { HandoffReport } from "../../src/agent/handoff-report.js";
import { runAgentLoop, type AgentLimits, type AgentRun } from "../../src/agent/loop.js";
import { createGeminiClient } from "../../src/agent/model/model-client.js";
import { REVIEW_TOOL_NAMES } from "../../src/agent/tool-names.js";
import { createUntrustedFence } from "../../src/agent/untrusted.js";
import { fakeGemini, type FakeGemini, type FakeGeminiStep } from "../helpers/fake-gemini.js";
import { makeWorkspace, type TempWorkspace } from "./tools/workspace.js";

/**
 * The recorded evaluation: model conversations scripted from the shapes real reviews take, run
 * against the real loop, tools and Gemini client. It measures what issue 21 asks of the agent: a
 * report posted in every scenario, and no finding on a line whose text does not match what it
 * quotes. The figures are printed at the end (and quoted in the README).
 */

const MODEL = "gemini-test";
const limits: AgentLimits = { model: MODEL, temperature: 1, maxTurns: 6, timeoutMs: 60_000, tokenBudget: 1_000_000 };
const UP = "db/migrate/20261101_add_status.sql";
const DUMP_LINES = 90_000;

const report = (findings: unknown[]): Record<string, unknown> => ({
  part1: {
    status: "success",
    objectiveAchieved: "Reviewed the migration and its users.",
    decisionsMade: [],
    validation: "fail",
    errors: [],
    scopeDeviations: [],
  },
  part2: { keyInterfacesIntroduced: ["orders.status"], patternsEstablished: [], integrationPoints: [], assumptions: [], warnings: [] },
  findings,
});
const indexFinding = (line: number) => ({
  path: UP,
  line,
  severity: "error",
  category: "locking",
  message: "`CREATE INDEX orders_status_idx ON orders` blocks every write to orders while it builds.",
  suggestion: "CREATE INDEX CONCURRENTLY, outside a transaction.",
});
const submit = (findings: unknown[]): FakeGeminiStep => ({ call: { name: "submit_handoff_report", args: report(findings) } });
const call = (name: string, args: Record<string, unknown>, extra: Partial<{ delayMs: number }> = {}): FakeGeminiStep => ({ call: { name, args }, ...extra });

interface Scenario {
  name: string;
  steps: FakeGeminiStep[];
  limits?: Partial<AgentLimits>;
  graceMs?: number;
  /** What the tool results must have shown the model, to prove the scenario exercised its feature. */
  saw?: RegExp;
}

const SCENARIOS: Scenario[] = [
  {
    name: "hits the turn limit while still reading",
    limits: { maxTurns: 3 },
    steps: [
      call("read_file", { file_path: UP }),
      call("grep_search", { pattern: "status" }),
      call("read_file", { file_path: "app/models/order.py" }),
      { text: "I have not finished." },
    ],
  },
  {
    name: "times out during a model request",
    limits: { timeoutMs: 300 },
    graceMs: 200,
    steps: [call("list_directory", { dir_path: "." }, { delayMs: 1_500 }), call("list_directory", { dir_path: "." }, { delayMs: 1_500 })],
  },
  {
    name: "runs into its token budget while reading",
    limits: { tokenBudget: 1_000 },
    steps: [
      { call: { name: "read_file", args: { file_path: UP } }, usage: { prompt: 600, candidates: 100 } },
      { call: { name: "grep_search", args: { pattern: "status" } }, usage: { prompt: 600, candidates: 100 } },
    ],
  },
  { name: "submits a finding on the wrong line", steps: [call("read_file", { file_path: UP }), submit([indexFinding(1)])] },
  {
    name: "uses search_file_content",
    steps: [call("search_file_content", { pattern: "orders_status_idx" }), submit([indexFinding(3)])],
    saw: /File: db\/migrate\/20261101_add_status\.sql\nL1- /,
  },
  {
    name: "greps with (?i)",
    steps: [call("grep_search", { pattern: "(?i)CREATE\\s+INDEX\\s+[[:alpha:]_]+", case_sensitive: true }), submit([indexFinding(3)])],
    saw: /L3: CREATE INDEX orders_status_idx/,
  },
  {
    name: "greps with context",
    steps: [call("grep_search", { pattern: "status", include_pattern: "*.py", context: 1 }), submit([])],
    saw: /L3- .*\nL4: {5}status = /,
  },
  {
    name: "meets a file over the read limit",
    steps: [
      call("read_file", { file_path: "db/structure.sql" }),
      call("read_file", { file_path: "db/structure.sql", start_line: 80_000, end_line: 80_001 }),
      submit([indexFinding(3)]),
    ],
    saw: /too large: [\d,]+ bytes[\s\S]*Showing lines 80,000-80,001 of 90,000/,
  },
];

let ws: TempWorkspace;
let gemini: FakeGemini;
const results: Array<{ name: string; run: AgentRun; misplaced: number }> = [];

beforeEach(async () => {
  ws = await makeWorkspace({
    [UP]: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN status text;\nCREATE INDEX orders_status_idx ON orders (status);\n",
    "app/models/order.py": "class Order:\n    table = 'orders'\n    # the new column\n    status = Column(Text)\n",
    "db/structure.sql":
      Array.from({ length: DUMP_LINES }, (_, i) => `-- ${i + 1}: CREATE TABLE part_${i} (id bigint PRIMARY KEY, payload jsonb);`).join("\n") + "\n",
  });
  gemini = fakeGemini({ model: MODEL });
});
afterEach(async () => {
  gemini.stop();
  await ws.cleanup();
});

/** Findings placed on a line whose text does not hold what they quote. */
function misplaced(found: HandoffReport | undefined, files: Record<string, string[]>): number {
  return (found?.findings ?? []).filter((f) => {
    const quotes = quotedCode(f.message);
    const text = (files[f.path] ?? [])
      .slice(f.line - 1, f.endLine ?? f.line)
      .join(" ")
      .replace(/\s+/g, " ")
      .toLowerCase();
    return quotes.length > 0 && !quotes.some((q) => text.includes(q));
  }).length;
}

describe("the recorded evaluation", () => {
  for (const scenario of SCENARIOS) {
    it(`posts a report when the model ${scenario.name}`, async () => {
      gemini.reply(...scenario.steps);
      const run = await runAgentLoop({
        client: createGeminiClient({ backend: "gemini-api", apiKey: "k", tokenBudget: 1_000_000 }, { requestTimeoutMs: 2_000, sleep: () => Promise.resolve() }),
        limits: { ...limits, ...scenario.limits },
        systemInstruction: "You review migrations.",
        task: "Review the pull request.",
        tools: [...REVIEW_TOOL_NAMES],
        workspaceRoot: ws.root,
        fence: createUntrustedFence("cafe"),
        log: pino({ level: "silent" }),
        ...(scenario.graceMs !== undefined ? { graceMs: scenario.graceMs } : {}),
      });
      const files = { [UP]: ["SET lock_timeout = '2s';", "ALTER TABLE orders ADD COLUMN status text;", "CREATE INDEX orders_status_idx ON orders (status);"] };
      const count = misplaced(run.report, files);
      results.push({ name: scenario.name, run, misplaced: count });
      expect(run.report, `${run.reason}: ${run.detail ?? ""}`).toBeDefined();
      expect(count).toBe(0);
      if (scenario.saw) expect(JSON.stringify(gemini.requests.map((r) => r.contents))).toMatch(new RegExp(scenario.saw.source.replace(/\\n/g, "\\\\n")));
      expect(run.toolCalls.filter((c) => c.error?.startsWith("Unauthorized"))).toEqual([]);
    });
  }

  afterAll(() => {
    const delivered = results.filter((r) => r.run.report !== undefined).length;
    const findings = results.reduce((n, r) => n + (r.run.report?.findings.length ?? 0), 0);
    const wrong = results.reduce((n, r) => n + r.misplaced, 0);
    // The evaluation's figures are its output: printed, as the benches print theirs.
    process.stdout.write(
      `agent evaluation: ${delivered}/${results.length} scenarios posted a report (${results.filter((r) => r.run.partial).length} partial, ${results.filter((r) => r.run.graceTurn).length} from the grace turn); ${findings} findings kept, ${wrong} on a line that does not match\n`,
    );
  });
});
