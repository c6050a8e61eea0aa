import type { Part } from "@google/genai";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPORT_SHAPE_HINT } from "../../src/agent/handoff-finish.js";
import { runAgentLoop, type AgentLimits } from "../../src/agent/loop.js";
import { createGeminiClient } from "../../src/agent/model/model-client.js";
import { REVIEW_TOOL_NAMES } from "../../src/agent/tool-names.js";
import { MAX_TOOL_CALLS_PER_TURN } from "../../src/agent/tools/limits.js";
import { createUntrustedFence } from "../../src/agent/untrusted.js";
import { fakeGemini, type FakeGemini, type GeminiRequestBody } from "../helpers/fake-gemini.js";
import { makeWorkspace, type TempWorkspace } from "./tools/workspace.js";

const MODEL = "gemini-test";
const limits: AgentLimits = { model: MODEL, temperature: 0.2, maxTurns: 8, timeoutMs: 60_000, tokenBudget: 1_000_000 };
const settings = { backend: "gemini-api" as const, apiKey: "test-key-not-real", tokenBudget: 1_000_000 };

const report = (findings: unknown[] = []) => ({
  part1: { status: "success", objectiveAchieved: "Reviewed the migration.", decisionsMade: [], validation: "pass", errors: [], scopeDeviations: [] },
  part2: { keyInterfacesIntroduced: [], patternsEstablished: [], integrationPoints: [], assumptions: [], warnings: [] },
  findings,
});
const good = { path: "app/models/order.py", line: 4, severity: "warning", category: "compatibility", message: "Still writes orders.state." };
const wrongLine = { ...good, line: 90, message: "On a line that does not exist." };

let ws: TempWorkspace;
let gemini: FakeGemini;

beforeEach(async () => {
  const big = Array.from({ length: 200 }, (_, i) => `-- line ${i + 1} of a long schema dump ${"x".repeat(20)}`).join("\n");
  ws = await makeWorkspace({
    "db/migrations/001_status.up.sql": "ALTER TABLE orders ADD COLUMN status text;\n",
    "app/models/order.py": "class Order:\n    table = 'orders'\n    # legacy\n    state = Column(Text)\n",
    "config/deploy.yml": "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\nurl: postgres://app:hunter2@db/prod\n",
    "db/structure.sql": big,
  });
  gemini = fakeGemini({ model: MODEL });
});

afterEach(async () => {
  gemini.stop();
  await ws.cleanup();
});

function run(overrides: Partial<AgentLimits> = {}) {
  return runAgentLoop({
    client: createGeminiClient(settings, { sleep: () => Promise.resolve(), requestTimeoutMs: 2_000 }),
    limits: { ...limits, ...overrides },
    systemInstruction: "You review migrations.",
    task: "Review the pull request.",
    tools: [...REVIEW_TOOL_NAMES],
    workspaceRoot: ws.root,
    fence: createUntrustedFence("cafe"),
    log: pino({ level: "silent" }),
  });
}

function responsesIn(request: GeminiRequestBody | undefined): Array<{ name: string; response: Record<string, unknown> }> {
  return (request?.contents.at(-1)?.parts ?? [])
    .map((p: Part) => p.functionResponse)
    .filter((r) => r !== undefined)
    .map((r) => ({ name: r.name ?? "", response: r.response ?? {} }));
}

describe("a report with some bad findings", () => {
  it("is sent back once, then accepted without the finding sent again unchanged", async () => {
    gemini.reply(
      { call: { name: "submit_handoff_report", args: report([good, wrongLine]) } },
      { call: { name: "submit_handoff_report", args: report([good, wrongLine]) } },
    );
    const result = await run();
    gemini.assertDone();
    expect(String(responsesIn(gemini.requests[1])[0]?.response.error)).toContain("findings.1.line: app/models/order.py has 4 lines; line 90 does not exist");
    expect(result.reason).toBe("goal");
    expect(result.report?.findings).toEqual([good]);
    expect(result.dropped).toEqual(["findings.1.line: app/models/order.py has 4 lines; line 90 does not exist"]);
  });

  it("is accepted at once without the bad finding on the last turn", async () => {
    gemini.reply({ call: { name: "submit_handoff_report", args: report([{ ...good, severity: "critical" }, good]) } });
    const result = await run({ maxTurns: 1 });
    gemini.assertDone();
    expect(result.reason).toBe("goal");
    expect(result.report?.findings).toEqual([good]);
    expect(result.dropped?.[0]).toContain("findings.0.severity");
  });
});

describe("gemini-cli's complete_task", () => {
  it("is accepted as the finishing tool, with the report wrapped in its output parameter", async () => {
    gemini.reply({ call: { name: "complete_task", args: { result: report([good]) } } });
    const result = await run();
    gemini.assertDone();
    expect(result.reason).toBe("goal");
    expect(result.report?.findings).toEqual([good]);
    expect(result.refusedTools).toEqual([]);
  });

  it("reads a JSON text result, and answers a Markdown one with what to send", async () => {
    gemini.reply(
      { call: { name: "complete_task", args: { result: "## Handoff Report\n- **Status**: success" } } },
      { call: { name: "complete_task", args: { result: JSON.stringify(report()) } } },
    );
    const result = await run();
    gemini.assertDone();
    const error = String(responsesIn(gemini.requests[1])[0]?.response.error);
    expect(error).toContain("The report came as text; it must come as structured fields.");
    expect(error).toContain(REPORT_SHAPE_HINT);
    expect(result.reason).toBe("goal");
  });

  it("says what to send when Part 1 is missing", async () => {
    gemini.reply(
      { call: { name: "submit_handoff_report", args: { part2: report().part2, findings: [] } } },
      { call: { name: "submit_handoff_report", args: report() } },
    );
    await run();
    gemini.assertDone();
    const error = String(responsesIn(gemini.requests[1])[0]?.response.error);
    expect(error).toContain("part1:");
    expect(error).toContain('{"part1": {"status": "success|partial|failure"');
  });
});

describe("tool calls of one turn", () => {
  it("answers every call in order, runs at most the per-turn cap and refuses the rest", async () => {
    const calls = Array.from({ length: MAX_TOOL_CALLS_PER_TURN + 2 }, (_, i) => ({
      name: "read_file",
      args: { file_path: "app/models/order.py", start_line: 1 + (i % 4) },
    }));
    gemini.reply({ calls }, { call: { name: "submit_handoff_report", args: report() } });
    const result = await run();
    gemini.assertDone();
    const answers = responsesIn(gemini.requests[1]);
    expect(answers).toHaveLength(MAX_TOOL_CALLS_PER_TURN + 2);
    expect(answers.slice(0, MAX_TOOL_CALLS_PER_TURN).every((a) => "output" in a.response)).toBe(true);
    expect(String(answers.at(-1)?.response.error)).toContain(`at most ${MAX_TOOL_CALLS_PER_TURN} tool calls run per turn`);
    expect(String(answers[1]?.response.output)).toContain("table = 'orders'");
    expect(String(answers[1]?.response.output)).not.toContain("class Order:");
    expect(result.toolCalls.filter((c) => c.error)).toHaveLength(2);
  });

  it("redacts credentials in a tool result before the model sees it", async () => {
    gemini.reply(
      {
        calls: [
          { name: "read_file", args: { file_path: "config/deploy.yml" } },
          { name: "grep_search", args: { pattern: "token|postgres" } },
        ],
      },
      { call: { name: "submit_handoff_report", args: report() } },
    );
    await run();
    gemini.assertDone();
    const sent = JSON.stringify(gemini.requests[1]);
    expect(sent).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789AB");
    expect(sent).not.toContain("hunter2");
    expect(sent).toContain("[REDACTED]");
  });
});

describe("a long review", () => {
  it("elides large tool results older than the last three tool turns", async () => {
    const read = (start: number) => ({ call: { name: "read_file", args: { file_path: "db/structure.sql", start_line: start } } });
    gemini.reply(read(1), read(2), read(3), read(4), read(5), { call: { name: "submit_handoff_report", args: report() } });
    const result = await run();
    gemini.assertDone();
    expect(result.reason).toBe("goal");
    const last = gemini.requests[5];
    const outputs = (last?.contents ?? [])
      .flatMap((c) => (c.parts ?? []).map((p) => p.functionResponse?.response?.output))
      .filter((o) => o !== undefined)
      .map(String);
    expect(outputs).toHaveLength(5);
    expect(outputs[0]).toContain("[Result elided to keep the review within its token budget; it was:");
    expect(outputs[0]).toContain("db/structure.sql: 200 lines");
    expect(outputs[1]).toContain("elided");
    expect(outputs.slice(2).every((o) => o.includes("long schema dump"))).toBe(true);
    // Three whole results and two one-line notes, where five whole results were.
    const whole = outputs[4]?.length ?? 0;
    expect(outputs.reduce((sum, o) => sum + o.length, 0)).toBeLessThan(3 * whole + 2 * 600);
  });

  it("nudges a model that repeats the same call, then ends the loop with the grace turn", async () => {
    const same = { call: { name: "list_directory", args: { dir_path: "." } } };
    gemini.reply(same, same, same, same, same, { call: { name: "submit_handoff_report", args: report() } });
    const result = await run({ maxTurns: 10 });
    gemini.assertDone();
    const nudged = gemini.requests[3]?.contents
      .at(-1)
      ?.parts?.map((p) => p.text ?? "")
      .join("");
    expect(nudged).toContain("You have made the same tool calls 3 turns in a row");
    expect(result.reason).toBe("loop");
    expect(result.turns).toBe(5);
    expect(result.graceTurn).toBe(true);
    expect(result.report).toBeDefined();
  });
});
