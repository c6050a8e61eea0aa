import { existsSync, readFileSync } from "node:fs";
import { cp, mkdtemp, readFile, readdir, realpath, rm, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Part } from "@google/genai";
import pino from "pino";
import { runAgentReview, type AgentOutcome } from "../src/agent/agent-review.js";
import type { HandoffReport } from "../src/agent/handoff-report.js";
import { SUBMIT_REPORT_TOOL } from "../src/agent/handoff-report.js";
import { createGeminiClient } from "../src/agent/model/model-client.js";
import type { ModelSettings } from "../src/agent/model/model-settings.js";
import { BUNDLED_AGENT_FILE, createAgentRuntime } from "../src/agent/runtime.js";
import { createUntrustedFence } from "../src/agent/untrusted.js";
import type { Workspace } from "../src/agent/workspace/extract.js";
import { DEMO_DIR, demoReviewInput } from "../src/cli/commands/demo.js";
import { buildReview } from "../src/review/build-review.js";
import type { GeminiRequestBody } from "../test/helpers/fake-gemini.js";
import { median } from "./stats.js";

/**
 * What one agent review sends to Gemini: the demo pull request (examples/demo) reviewed by the real
 * pipeline (analyser, runAgentReview, the Gemini client and SDK) against a local HTTP server that
 * plays Gemini's generateContent with a scripted model: one grep_search, five read_file calls,
 * then the Handoff Report. Every request body is measured as it arrives on the socket. Beside it,
 * in the same process, the one request a non-agentic reviewer would send (the same system
 * instruction and task with the five files inlined), sent through the same client.
 * Run: npm run bench:agent (RUNS=n to change the repetitions).
 *
 * Tokens are an estimate, ceil(bytes / 4): Gemini's documented rule of thumb is about four
 * characters per token. The SDK's LocalTokenizer would count exactly, but it downloads its
 * tokenizer model from the network, which is not available here.
 *
 * Baseline, measured before issue 21 changed the agent's context (commit cd99944, RUNS=3, all runs
 * identical): 209,348 bytes, ~52,337 tokens per demo review in 7 requests; first request 27,975
 * bytes (system instruction 10,420 B, tool declarations 11,169 B, task message 6,250 B).
 * After issue 21's agent changes (gemini-cli's full parameters, the one-contract Output Contract,
 * the repository tree, numbered diff lines): 234,493 bytes, ~58,624 tokens (112.0%). The demo's
 * files are too small for history compression to act; its growth is the first request, resent.
 */
const BASELINE_BYTES = 209_348;

// Compiled to bench/.out/bench/: the project root is three folders up. src/ is compiled to
// bench/.out/src/ too, where DEMO_DIR and BUNDLED_AGENT_FILE point below bench/.out/, at folders
// that only exist at the root: those fall back to the root's.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const demoDir = existsSync(join(DEMO_DIR, "pull-request.json")) ? DEMO_DIR : join(ROOT, "examples/demo");
const agentFile = existsSync(BUNDLED_AGENT_FILE) ? BUNDLED_AGENT_FILE : join(ROOT, "agents/data-engineer.md");
const demoRepo = join(demoDir, "repo");

/** The five files the scripted model reads: two changed migrations' up/down, one more, and the code that uses orders. */
const READ_FILES = [
  "db/migrations/20261101120000_add_order_status.up.sql",
  "db/migrations/20261101120000_add_order_status.down.sql",
  "db/migrations/20261102090000_link_customers.up.sql",
  "app/models/order.py",
  "app/reports/orders_by_status.py",
] as const;

const GREP_ARGS = { pattern: "orders", include_pattern: "*.py" };

const REPORT: HandoffReport = {
  part1: {
    status: "success",
    objectiveAchieved: "All four changed migrations were reviewed in full; they are not safe to merge as written.",
    decisionsMade: ["Treated orders as the 40M-row table the repository configuration says it is."],
    validation: "fail",
    errors: [],
    scopeDeviations: [],
  },
  part2: {
    keyInterfacesIntroduced: ["orders.status text NOT NULL", "index orders_status_idx", "constraint orders_customer_fk", "orders.note text"],
    patternsEstablished: ["SET lock_timeout before DDL on orders."],
    integrationPoints: ["app/models/order.py maps status with default 'pending'; app/reports/orders_by_status.py groups by status."],
    assumptions: ["orders holds about 40 million rows and takes writes all day."],
    warnings: ["The add_order_status rollback drops the wrong column."],
  },
  findings: [
    {
      path: "db/migrations/20261101120000_add_order_status.down.sql",
      line: 2,
      severity: "error",
      category: "rollback",
      message: "The rollback drops column state, but the migration adds status: the rollback fails and leaves status in place.",
      suggestion: "ALTER TABLE orders DROP COLUMN status;",
    },
    {
      path: "app/reports/orders_by_status.py",
      line: 4,
      endLine: 7,
      severity: "note",
      category: "index",
      message: "This query reads every non-archived order each minute; orders_status_idx helps it only once the index is built without blocking writes.",
    },
  ],
};

/** The scripted model's call for each agent turn, 1-based. */
function scriptedCall(turn: number): { name: string; args: Record<string, unknown> } {
  if (turn === 1) return { name: "grep_search", args: GREP_ARGS };
  const file = READ_FILES[turn - 2];
  if (file !== undefined) return { name: "read_file", args: { file_path: file } };
  return { name: SUBMIT_REPORT_TOOL, args: { ...REPORT } };
}

const SCRIPTED_TURNS = READ_FILES.length + 2;

interface Exchange {
  kind: "agent" | "single-shot";
  requestBytes: number;
  responseBytes: number;
  body: GeminiRequestBody;
  /** The tool the scripted model called in its answer (agent requests). */
  called?: string;
}

const estimate = (bytes: number) => Math.ceil(bytes / 4);
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));
const GENERATE_PATH = /^\/v\d[a-z0-9]*\/models\/[^/:]+:generateContent$/;

/** A local Gemini API that answers generateContent from the script and records every body. */
async function startScriptedGemini(): Promise<{ baseUrl: string; exchanges: Exchange[]; problems: string[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const problems: string[] = [];
  let agentTurns = 0;

  const send = (res: ServerResponse, status: number, payload: unknown): number => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
    return Buffer.byteLength(text);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "POST" || !GENERATE_PATH.test(path)) {
      problems.push(`unexpected ${req.method ?? "?"} ${path}`);
      send(res, 404, { error: { code: 404, message: `no such method: ${path}`, status: "NOT_FOUND" } });
      return;
    }
    const body = JSON.parse(raw.toString("utf8")) as GeminiRequestBody;
    const withTools = (body.tools ?? []).length > 0;
    let parts: Part[];
    let called: string | undefined;
    if (withTools) {
      agentTurns++;
      if (agentTurns > SCRIPTED_TURNS) {
        problems.push(`agent request #${agentTurns} came after the script ended`);
        send(res, 400, { error: { code: 400, message: "the script has ended", status: "FAILED_PRECONDITION" } });
        return;
      }
      const call = scriptedCall(agentTurns);
      called = call.name;
      parts = [{ functionCall: call }];
    } else {
      parts = [{ text: "Single-shot review: see findings." }];
    }
    const prompt = estimate(raw.length);
    const candidates = estimate(jsonBytes(parts));
    const responseBytes = send(res, 200, {
      candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates },
      modelVersion: "scripted",
      responseId: `bench-${exchanges.length + 1}`,
    });
    exchanges.push({ kind: withTools ? "agent" : "single-shot", requestBytes: raw.length, responseBytes, body, ...(called ? { called } : {}) });
  };

  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      problems.push(`server failed: ${String(error)}`);
      if (!res.headersSent) send(res, 500, { error: { code: 500, message: "bench server failed", status: "INTERNAL" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    exchanges,
    problems,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The demo pull request and the analyser's review of it, as `data-engineer demo` builds them. */
async function demoReview() {
  const { pr, input } = await demoReviewInput(demoDir);
  return { pr, relevant: input.relevant, config: input.config, findings: buildReview(input).findings };
}

/** A Workspace over a temporary copy of the demo repository, removed by dispose. */
async function copyWorkspace(): Promise<Workspace> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "data-engineer-bench-")));
  await cp(demoRepo, root, { recursive: true });
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { root, files, bytes, skipped: [], dispose: () => rm(root, { recursive: true, force: true }) };
}

interface RunResult {
  outcome: AgentOutcome;
  agent: Exchange[];
  singleShot: Exchange;
  workspaceRemoved: boolean;
}

const demo = await demoReview();
const log = pino({ level: "silent" });

async function runOnce(): Promise<RunResult> {
  const server = await startScriptedGemini();
  try {
    const settings: ModelSettings = { backend: "gemini-api", apiKey: "bench", baseUrl: server.baseUrl, tokenBudget: 10_000_000 };
    const client = createGeminiClient(settings);
    let workspaceRoot: string | undefined;
    const outcome = await runAgentReview({
      runtime: createAgentRuntime(settings, client, agentFile),
      config: demo.config.agent,
      task: {
        pr: { number: 1, title: demo.pr.title, body: "", author: "demo", baseRef: "main", headSha: demo.pr.headSha },
        relevant: demo.relevant,
        otherChanged: [],
        findings: demo.findings,
        notReviewed: [],
      },
      openWorkspace: async () => {
        const workspace = await copyWorkspace();
        workspaceRoot = workspace.root;
        return workspace;
      },
      log,
    });
    const agent = server.exchanges.filter((e) => e.kind === "agent");
    const first = agent[0];
    if (!first) throw new Error(`no request reached the scripted model: ${outcome.run.reason} ${outcome.run.detail ?? ""}`);

    // The single-shot reviewer: the same system instruction and task, the five files inlined, no tools.
    const systemText = first.body.systemInstruction?.parts?.[0]?.text ?? "";
    const taskText = first.body.contents[0]?.parts?.[0]?.text ?? "";
    const fence = createUntrustedFence();
    const inlined: string[] = [];
    for (const path of READ_FILES) inlined.push(`### ${path}\n${fence.wrap(`file ${path}`, await readFile(join(demoRepo, path), "utf8"))}`);
    await client.generate({
      model: outcome.limits.model,
      systemInstruction: systemText,
      contents: [{ role: "user", parts: [{ text: `${taskText}\n\n## The files to review, in full\n\n${inlined.join("\n\n")}` }] }],
      functionDeclarations: [],
      temperature: outcome.limits.temperature,
      signal: AbortSignal.timeout(30_000),
    });
    const singleShot = server.exchanges.find((e) => e.kind === "single-shot");
    if (!singleShot) throw new Error("the single-shot request did not arrive");
    if (server.problems.length > 0) throw new Error(`scripted Gemini:\n- ${server.problems.join("\n- ")}`);
    return { outcome, agent, singleShot, workspaceRemoved: workspaceRoot !== undefined && !existsSync(workspaceRoot) };
  } finally {
    await server.close();
  }
}

const runs: RunResult[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await runOnce());
const result = runs[0];
if (!result) throw new Error("RUNS must be at least 1");

const { run } = result.outcome;
const failedCalls = run.toolCalls.filter((c) => c.error !== undefined);
if (run.reason !== "goal" || failedCalls.length > 0 || result.agent.length !== SCRIPTED_TURNS) {
  throw new Error(
    `the scripted review did not go as planned: ${run.reason} after ${run.turns} turns${run.detail ? ` (${run.detail})` : ""}; ` +
      `${result.agent.length} requests; failed calls: ${failedCalls.map((c) => `${c.name}: ${c.error ?? ""}`).join("; ") || "none"}`,
  );
}

const n = (value: number) => value.toLocaleString("en-US");
const pad = (value: string | number, width: number) => (typeof value === "number" ? n(value) : value).padStart(width);
const totalOf = (r: RunResult) => r.agent.reduce((sum, e) => sum + e.requestBytes, 0);

console.log(`demo pull request: ${demo.pr.title} (${demo.relevant.length} changed migration files, ${demo.findings.length} analyser findings)`);
console.log(
  `scripted model: grep_search ${JSON.stringify(GREP_ARGS)}, read_file x${READ_FILES.length}, ${SUBMIT_REPORT_TOOL}; model ${result.outcome.limits.model}`,
);
console.log(`tokens below are ESTIMATES: ceil(bytes / 4), Gemini's ~4 characters per token rule of thumb (no tokenizer offline)`);
console.log("");
console.log("request bodies as received by the local Gemini (first run):");
console.log(
  `  ${"turn".padEnd(5)}${"model called".padEnd(24)}${pad("request B", 12)}${pad("est. tokens", 13)}${pad("cumulative B", 14)}${pad("cum. est. tok", 15)}${pad("response B", 12)}`,
);
let cumulative = 0;
for (const [index, exchange] of result.agent.entries()) {
  cumulative += exchange.requestBytes;
  console.log(
    `  ${String(index + 1).padEnd(5)}${(exchange.called ?? "?").padEnd(24)}${pad(exchange.requestBytes, 12)}${pad(estimate(exchange.requestBytes), 13)}${pad(cumulative, 14)}${pad(estimate(cumulative), 15)}${pad(exchange.responseBytes, 12)}`,
  );
}
const agentTotal = totalOf(result);
const lastBytes = result.agent.at(-1)?.requestBytes ?? 0;
const firstExchange = result.agent[0];
const firstBytes = firstExchange?.requestBytes ?? 0;
console.log(`  total sent per review: ${n(agentTotal)} bytes, ~${n(estimate(agentTotal))} tokens (estimate) in ${result.agent.length} requests`);
console.log(
  `  every turn resends the whole history: the last request is ${(lastBytes / firstBytes).toFixed(2)}x the first, ` +
    `and the total is ${(agentTotal / firstBytes).toFixed(2)}x the first request (${result.agent.length} requests)`,
);
// Request k = the first request + the history added by turns 1..k-1, so the total is
// (requests x first request) + the growth, which is the term that grows quadratically with turns.
const resentPrefix = result.agent.length * firstBytes;
console.log(
  `  of the total, the first request resent ${result.agent.length} times is ${n(resentPrefix)} bytes (${((100 * resentPrefix) / agentTotal).toFixed(1)}%); ` +
    `the growing history adds ${n(agentTotal - resentPrefix)} bytes (${((100 * (agentTotal - resentPrefix)) / agentTotal).toFixed(1)}%)`,
);
console.log(
  `  run: terminate reason ${run.reason}, ${run.turns} turns, ${run.toolCalls.length} tool calls, ${run.report?.findings.length ?? 0} report findings; workspace copy removed: ${result.workspaceRemoved ? "yes" : "NO"}`,
);
console.log(
  `  usage the loop summed from the scripted usageMetadata (the same estimate, rounded per request): in ${n(run.usage.input)}, out ${n(run.usage.output)}`,
);

if (firstExchange) {
  const body = firstExchange.body;
  const systemText = body.systemInstruction?.parts?.map((p) => p.text ?? "").join("") ?? "";
  const taskText = body.contents.map((c) => (c.parts ?? []).map((p) => p.text ?? "").join("")).join("");
  const declarations = body.tools ?? [];
  const parts = [
    { what: "system instruction", chars: systemText.length, bytes: jsonBytes(body.systemInstruction) },
    { what: "tool declarations", chars: JSON.stringify(declarations).length, bytes: jsonBytes(declarations) },
    { what: "task message", chars: taskText.length, bytes: jsonBytes(body.contents) },
  ];
  const rest = firstBytes - parts.reduce((sum, p) => sum + p.bytes, 0);
  console.log("");
  console.log(`first request, ${n(firstBytes)} bytes, by part (chars of the text; bytes as JSON in the body):`);
  for (const p of parts) {
    console.log(
      `  ${p.what.padEnd(20)}${pad(p.chars, 8)} chars${pad(p.bytes, 8)} B  ~${pad(estimate(p.bytes), 6)} tok  ${((100 * p.bytes) / firstBytes).toFixed(1).padStart(5)}%`,
    );
  }
  console.log(
    `  ${"rest (config, keys)".padEnd(20)}${pad("", 14)}${pad(rest, 8)} B  ~${pad(estimate(rest), 6)} tok  ${((100 * rest) / firstBytes).toFixed(1).padStart(5)}%`,
  );
  const names = declarations.flatMap((t) => (t.functionDeclarations ?? []).map((d) => `${d.name ?? "?"} ${n(jsonBytes(d))} B`));
  console.log(`  declarations: ${names.join(", ")}`);
}

const singleBytes = result.singleShot.requestBytes;
const readBytes = READ_FILES.reduce((sum, path) => sum + Buffer.byteLength(readFileSync(join(demoRepo, path))), 0);
console.log("");
console.log(
  `single-shot comparison: the same system instruction and task, the ${READ_FILES.length} files inlined (${n(readBytes)} bytes of file text), no tools, one request:`,
);
console.log(`  ${n(singleBytes)} bytes, ~${n(estimate(singleBytes))} tokens (estimate)`);
console.log(`  agent total / single-shot: ${(agentTotal / singleBytes).toFixed(2)}x (${n(agentTotal)} / ${n(singleBytes)} bytes)`);

const totals = runs.map(totalOf);
const singles = runs.map((r) => r.singleShot.requestBytes);
const identical = totals.every((t) => t === totals[0]) && singles.every((s) => s === singles[0]);
console.log("");
console.log(`${RUNS} runs: agent totals ${totals.map(n).join(", ")} bytes; single-shot ${singles.map(n).join(", ")} bytes`);
console.log(
  `  before issue 21: ${n(BASELINE_BYTES)} bytes (~${n(estimate(BASELINE_BYTES))} tokens); now ${((100 * median(totals)) / BASELINE_BYTES).toFixed(1)}% of that`,
);
console.log(
  `  median agent total ${n(median(totals))} bytes (~${n(estimate(median(totals)))} tokens, estimate); median single-shot ${n(median(singles))} bytes; ` +
    (identical ? "all runs identical" : "runs DIFFER"),
);
