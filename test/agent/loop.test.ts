import type { Part } from "@google/genai";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgentLoop, unauthorizedToolMessage, type AgentLimits } from "../../src/agent/loop.js";
import { createGeminiClient } from "../../src/agent/model/model-client.js";
import { REVIEW_TOOL_NAMES } from "../../src/agent/tool-names.js";
import { createUntrustedFence } from "../../src/agent/untrusted.js";
import { fakeGemini, rateLimitError, type FakeGemini, type GeminiRequestBody } from "../helpers/fake-gemini.js";
import { makeWorkspace, type TempWorkspace } from "./tools/workspace.js";

const MODEL = "gemini-test";
const limits: AgentLimits = { model: MODEL, temperature: 0.2, maxTurns: 8, timeoutMs: 60_000, tokenBudget: 1_000_000 };
const settings = { backend: "gemini-api" as const, apiKey: "test-key-not-real", tokenBudget: 1_000_000 };

const report = (findings: unknown[] = []) => ({
  part1: {
    status: "success",
    objectiveAchieved: "Reviewed the migration and the model using it.",
    decisionsMade: [],
    validation: "fail",
    errors: [],
    scopeDeviations: [],
  },
  part2: {
    keyInterfacesIntroduced: ["column orders.status"],
    patternsEstablished: [],
    integrationPoints: ["app/models/order.py"],
    assumptions: [],
    warnings: [],
  },
  findings,
});

const statusFinding = {
  path: "app/models/order.py",
  line: 4,
  severity: "warning",
  category: "compatibility",
  message: "The model still writes orders.state, which the down migration drops.",
};

let ws: TempWorkspace;
let gemini: FakeGemini;
const sleeps: number[] = [];

beforeEach(async () => {
  ws = await makeWorkspace(
    {
      "db/migrations/001_status.up.sql": "ALTER TABLE orders ADD COLUMN status text;\n",
      "app/models/order.py": "class Order:\n    table = 'orders'\n    # legacy\n    state = Column(Text)\n",
      ".env": "DATABASE_URL=postgres://app:hunter2@db/prod\n",
      "linked.sql": { symlink: "OUTSIDE/secret.sql" },
    },
    { "secret.sql": "-- outside the workspace\n" },
  );
  gemini = fakeGemini({ model: MODEL });
  sleeps.length = 0;
});

afterEach(async () => {
  gemini.stop();
  await ws.cleanup();
});

function run(overrides: Partial<AgentLimits> = {}, signal?: AbortSignal, graceMs?: number) {
  const client = createGeminiClient(settings, {
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    requestTimeoutMs: 2_000,
  });
  return runAgentLoop({
    client,
    limits: { ...limits, ...overrides },
    systemInstruction: "You review migrations.",
    task: "Review the pull request.",
    tools: [...REVIEW_TOOL_NAMES],
    workspaceRoot: ws.root,
    fence: createUntrustedFence("cafe"),
    log: pino({ level: "silent" }),
    ...(signal ? { signal } : {}),
    ...(graceMs !== undefined ? { graceMs } : {}),
  });
}

/** The function responses our side sent in a request's last turn. */
function responsesIn(request: GeminiRequestBody | undefined): Array<{ name: string; response: Record<string, unknown> }> {
  const last = request?.contents.at(-1);
  return (last?.parts ?? [])
    .map((p: Part) => p.functionResponse)
    .filter((r) => r !== undefined)
    .map((r) => ({ name: r.name ?? "", response: r.response ?? {} }));
}

describe("the agent loop", () => {
  it("reads a model file with grep_search and read_file, then submits the report", async () => {
    gemini.reply(
      { call: { name: "grep_search", args: { pattern: "orders", include_pattern: "*.py" } } },
      { call: { name: "read_file", args: { file_path: "app/models/order.py" } } },
      { call: { name: "submit_handoff_report", args: report([statusFinding]) } },
    );
    const result = await run();
    gemini.assertDone();
    expect(result.reason).toBe("goal");
    expect(result.turns).toBe(3);
    expect(result.report?.findings).toEqual([statusFinding]);
    expect(result.usage.input).toBeGreaterThan(0);
    const grep = responsesIn(gemini.requests[1])[0];
    expect(grep?.name).toBe("grep_search");
    expect(String(grep?.response.output)).toContain("app/models/order.py");
    const read = responsesIn(gemini.requests[2])[0];
    // File content comes back inside the untrusted block.
    expect(String(read?.response.output)).toMatch(
      /^<untrusted-data-cafe source="read_file result">\n[\s\S]*state = Column\(Text\)[\s\S]*<\/untrusted-data-cafe>$/,
    );
    // The request declares the five tools and the report, forcing a function call.
    const declared = gemini.requests[0]?.tools?.[0]?.functionDeclarations?.map((d) => d.name);
    expect(declared).toEqual([...REVIEW_TOOL_NAMES, "submit_handoff_report"]);
    expect(gemini.requests[0]?.toolConfig?.functionCallingConfig?.mode).toBe("ANY");
  });

  it("sends the same tool declarations as the snapshot", async () => {
    gemini.reply({ call: { name: "submit_handoff_report", args: report() } });
    await run();
    // Any change to a tool's name, description or parameters shows up here in review.
    expect(gemini.requests[0]?.tools).toMatchSnapshot();
  });

  it("refuses paths outside the workspace, a symlink out of it and .env, and goes on", async () => {
    gemini.reply(
      {
        calls: [
          { name: "read_file", args: { file_path: "../../etc/passwd" } },
          { name: "read_file", args: { file_path: "/etc/passwd" } },
          { name: "read_file", args: { file_path: "linked.sql" } },
          { name: "read_file", args: { file_path: ".env" } },
        ],
      },
      { call: { name: "submit_handoff_report", args: report() } },
    );
    const result = await run();
    gemini.assertDone();
    expect(result.reason).toBe("goal");
    const answers = responsesIn(gemini.requests[1]);
    expect(answers).toHaveLength(4);
    for (const answer of answers) {
      expect(answer.response).toHaveProperty("error");
      expect(answer.response).not.toHaveProperty("output");
    }
    const sent = JSON.stringify(gemini.requests[1]);
    expect(sent).not.toContain("root:x:0:0");
    expect(sent).not.toContain("outside the workspace\\n");
    expect(sent).not.toContain("hunter2");
    expect(result.toolCalls.filter((c) => c.error)).toHaveLength(4);
  });

  it("refuses write_file as an unauthorized tool call", async () => {
    gemini.reply(
      { call: { name: "write_file", args: { file_path: "db/x.sql", content: "DROP TABLE orders;" } } },
      { call: { name: "run_shell_command", args: { command: "cat /etc/passwd" } } },
      { call: { name: "submit_handoff_report", args: report() } },
    );
    const result = await run();
    gemini.assertDone();
    expect(responsesIn(gemini.requests[1])[0]?.response).toEqual({ error: unauthorizedToolMessage("write_file") });
    expect(responsesIn(gemini.requests[2])[0]?.response).toEqual({ error: "Unauthorized tool call: 'run_shell_command' is not available to this agent." });
    expect(result.refusedTools).toEqual(["write_file", "run_shell_command"]);
    expect(result.reason).toBe("goal");
  });

  it("sends an invalid report back with the reasons, and takes the corrected one", async () => {
    gemini.reply(
      { call: { name: "submit_handoff_report", args: { ...report([{ ...statusFinding, severity: "critical" }]), part1: { status: "done" } } } },
      { call: { name: "submit_handoff_report", args: report([{ ...statusFinding, path: "app/models/nope.py" }]) } },
      { call: { name: "submit_handoff_report", args: report([{ ...statusFinding, line: 99 }]) } },
      { call: { name: "submit_handoff_report", args: report([statusFinding]) } },
    );
    const result = await run();
    gemini.assertDone();
    const first = String(responsesIn(gemini.requests[1])[0]?.response.error);
    expect(first).toContain("Not accepted. Fix these problems and call submit_handoff_report again");
    expect(first).toContain("part1.status");
    expect(first).toContain("findings.0.severity");
    expect(String(responsesIn(gemini.requests[2])[0]?.response.error)).toContain("findings.0.path");
    expect(String(responsesIn(gemini.requests[3])[0]?.response.error)).toContain("app/models/order.py has 4 lines; line 99 does not exist");
    expect(result.reason).toBe("goal");
    expect(result.report?.findings).toEqual([statusFinding]);
  });

  it("at max_turns, gives a grace turn that offers only the report, and takes the report sent in it", async () => {
    const read = { call: { name: "list_directory", args: { dir_path: "." } } };
    gemini.reply(read, read, read, { call: { name: "submit_handoff_report", args: report([statusFinding]) } });
    const result = await run({ maxTurns: 3 });
    gemini.assertDone();
    expect(result.reason).toBe("max_turns");
    expect(result.graceTurn).toBe(true);
    expect(result.partial).toBeUndefined();
    expect(result.report?.findings).toEqual([statusFinding]);
    expect(result.detail).toBe("no report after 3 turns; the report came in the grace turn");
    const lastTurn = gemini.requests[2]?.contents
      .at(-1)
      ?.parts?.map((p) => p.text)
      .join("");
    expect(lastTurn).toContain("This is your last turn: call submit_handoff_report now");
    const grace = gemini.requests[3];
    expect(grace?.tools?.[0]?.functionDeclarations?.map((d) => d.name)).toEqual(["submit_handoff_report"]);
    expect(grace?.toolConfig?.functionCallingConfig?.allowedFunctionNames).toEqual(["submit_handoff_report"]);
    expect(
      grace?.contents
        .at(-1)
        ?.parts?.map((p) => p.text ?? "")
        .join(""),
    ).toContain("You have one final turn: call submit_handoff_report now");
  });

  it("at max_turns with no report in the grace turn, turns what was read into a partial report", async () => {
    gemini.reply(
      { call: { name: "read_file", args: { file_path: "app/models/order.py" } } },
      // A report with one finding on a line that does not exist: sent back, its valid part kept.
      { call: { name: "submit_handoff_report", args: report([statusFinding, { ...statusFinding, line: 40 }]) } },
      { text: "Still thinking." },
      // The grace turn: text again, no report.
      { text: "I need more time." },
    );
    const result = await run({ maxTurns: 3 });
    gemini.assertDone();
    expect(result.reason).toBe("max_turns");
    expect(result.partial).toBe(true);
    expect(result.report?.part1.status).toBe("partial");
    expect(result.report?.part1.objectiveAchieved).toMatch(
      /^Partial report: the agent stopped before it submitted its Handoff Report \(no report after 3 turns\)/,
    );
    expect(result.report?.part1.scopeDeviations.join("\n")).toContain("Files the agent read before it stopped: app/models/order.py.");
    expect(result.report?.findings).toEqual([statusFinding]);
  });

  it("on timeout, asks for the report in a grace turn with its own deadline", async () => {
    gemini.reply({ call: { name: "list_directory", args: { dir_path: "." } }, delayMs: 1_500 }, { call: { name: "submit_handoff_report", args: report() } });
    const result = await run({ timeoutMs: 300 });
    expect(result.reason).toBe("timeout");
    expect(result.graceTurn).toBe(true);
    expect(result.report?.part1.status).toBe("success");
    expect(result.detail).toBe("no report within 300 ms; the report came in the grace turn");
  });

  it("on timeout with a grace turn that fails too, still returns a partial report", async () => {
    gemini.reply(
      { call: { name: "list_directory", args: { dir_path: "." } }, delayMs: 1_500 },
      { call: { name: "list_directory", args: { dir_path: "." } }, delayMs: 1_500 },
    );
    const result = await run({ timeoutMs: 300 }, undefined, 200);
    expect(result.reason).toBe("timeout");
    expect(result.partial).toBe(true);
    expect(result.report?.part1.objectiveAchieved).toContain("no report within 300 ms");
  });

  it("ends with aborted when the review is cancelled", async () => {
    const controller = new AbortController();
    gemini.reply({ call: { name: "list_directory", args: { dir_path: "." } }, delayMs: 1_500 });
    setTimeout(() => controller.abort(new Error("shutting down")), 100);
    const result = await run({}, controller.signal);
    expect(result.reason).toBe("aborted");
  });

  it("retries a 429 after the delay Gemini asks for, then goes on", async () => {
    gemini.reply({ status: 429, body: rateLimitError("7s") }, { call: { name: "submit_handoff_report", args: report() } });
    const result = await run();
    gemini.assertDone();
    expect(sleeps).toEqual([7_000]);
    expect(result.reason).toBe("goal");
  });

  it("before the token budget runs out, spends the last request on the grace turn, and reports what it has", async () => {
    const read = { call: { name: "list_directory", args: { dir_path: "." } }, usage: { prompt: 600, candidates: 100 } };
    // The second request would cross the budget: it is the grace turn, and the model still lists.
    gemini.reply(read, read);
    const result = await run({ tokenBudget: 1_000 });
    gemini.assertDone();
    expect(result.reason).toBe("budget");
    expect(result.turns).toBe(1);
    expect(result.usage).toEqual({ input: 1_200, output: 200, total: 1_400 });
    expect(result.detail).toContain("about to exceed its token budget of 1,000");
    expect(gemini.requests[1]?.toolConfig?.functionCallingConfig?.allowedFunctionNames).toEqual(["submit_handoff_report"]);
    expect(result.partial).toBe(true);
  });

  it("stops at once, with a partial report, when one answer spends the whole budget", async () => {
    gemini.reply({ call: { name: "read_file", args: { file_path: "app/models/order.py" } }, usage: { prompt: 1_500, candidates: 100 } });
    const result = await run({ tokenBudget: 1_000 });
    gemini.assertDone();
    expect(result.reason).toBe("budget");
    expect(result.detail).toContain("over its budget of 1,000");
    expect(result.report?.part1.scopeDeviations.join("\n")).toContain("app/models/order.py");
  });

  it("ends with error, not a throw, when Gemini refuses the request", async () => {
    gemini.reply({ status: 400 });
    const result = await run();
    expect(result.reason).toBe("error");
    expect(result.detail).toMatch(/^the model request failed: /);
    expect(result.detail).not.toContain("test-key-not-real");
  });

  it("asks again when the model answers with no content", async () => {
    gemini.reply(
      { response: { candidates: [{ finishReason: "MALFORMED_FUNCTION_CALL", index: 0 }] } },
      { call: { name: "submit_handoff_report", args: report() } },
    );
    const result = await run();
    gemini.assertDone();
    expect(result.reason).toBe("goal");
    expect(result.turns).toBe(2);
    // The history sent the second time ends with our task, not an empty model turn.
    expect(gemini.requests[1]?.contents).toHaveLength(1);
  });
});
