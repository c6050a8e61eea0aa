import type { Content, Part } from "@google/genai";
import type { Logger } from "pino";
import { errorMessage } from "../errors.js";
import { HandoffReportSchema, describeReportIssues, submitReportDeclaration, type HandoffReport } from "./handoff-report.js";
import type { ModelClient } from "./model/model-client.js";
import { findingLocationProblems } from "./report-check.js";
import { REVIEW_TOOLS, runTool, toolDeclaration } from "./tools/index.js";
import { isReviewToolName, type ReviewToolName } from "./tool-names.js";
import type { UntrustedFence } from "./untrusted.js";
import { metrics } from "../ops/metrics.js";

/**
 * The agent loop: the model reads the repository through the offered tools until it submits the
 * Handoff Report, or a limit ends the run. Every way out is a terminate reason; nothing in here
 * throws to the caller — a failed run returns its reason, and the review posts without the agent.
 */

export type TerminateReason = "goal" | "max_turns" | "timeout" | "aborted" | "budget" | "error";

export interface AgentLimits {
  model: string;
  temperature: number;
  maxTurns: number;
  timeoutMs: number;
  /** Tokens (input + output, summed over turns) after which the run stops. */
  tokenBudget: number;
}

export interface TokenUsage {
  input: number;
  output: number;
  total: number;
}

export interface ToolCallRecord {
  name: string;
  /** The refusal or failure the model was told, when the call did not succeed. */
  error?: string;
}

export interface LoopRun<T> {
  reason: TerminateReason;
  /** Why the run ended, for people, when it did not reach its goal. */
  detail?: string;
  /** What the model submitted through the finish tool, accepted. */
  result?: T;
  turns: number;
  usage: TokenUsage;
  toolCalls: ToolCallRecord[];
  /** Tools the model called that it may not use. */
  refusedTools: string[];
}

export interface AgentRun extends Omit<LoopRun<HandoffReport>, "result"> {
  report?: HandoffReport;
}

/** The function the model calls to end the run with its answer; its arguments are checked first. */
export interface FinishTool<T> {
  declaration: { name: string; description: string; parametersJsonSchema: object };
  /** The value, or the problems to send back to the model so it can call again. */
  accept(args: Record<string, unknown>, workspaceRoot: string): Promise<{ value: T } | { problems: string[] }>;
}

/** The review's finish tool: the Handoff Report, valid and pointing at real lines. */
export const HANDOFF_REPORT_FINISH: FinishTool<HandoffReport> = {
  declaration: submitReportDeclaration(),
  async accept(args, root) {
    const parsed = HandoffReportSchema.safeParse(args);
    if (!parsed.success) return { problems: [describeReportIssues(parsed.error)] };
    const problems = await findingLocationProblems(parsed.data, root);
    return problems.length > 0 ? { problems } : { value: parsed.data };
  },
};

export interface AgentLoopInput {
  client: ModelClient;
  limits: AgentLimits;
  systemInstruction: string;
  task: string;
  /** Tools offered to the model: the definition's list intersected with the review tools. */
  tools: readonly ReviewToolName[];
  workspaceRoot: string;
  fence: UntrustedFence;
  log: Logger;
  signal?: AbortSignal;
}

/** The refusal gemini-cli gives, so a definition written for it behaves the same here. */
export function unauthorizedToolMessage(name: string): string {
  return `Unauthorized tool call: '${name}' is not available to this agent.`;
}

/** The review tools a definition may use: its list, in its order, intersected with ours. */
export function offeredTools(declared: readonly string[]): ReviewToolName[] {
  return declared.filter(isReviewToolName);
}

function turnsLeftNote(left: number, finish: string): Part[] {
  if (left > 2) return [];
  return [{ text: left === 1 ? `This is your last turn: call ${finish} now with what you have.` : `${left} turns left: call ${finish} soon.` }];
}

/** The review: the loop with the Handoff Report as its finish tool. */
export async function runAgentLoop(input: AgentLoopInput): Promise<AgentRun> {
  const { result, ...run } = await runToolLoop({ ...input, finish: HANDOFF_REPORT_FINISH });
  return result ? { ...run, report: result } : run;
}

export async function runToolLoop<T>(input: AgentLoopInput & { finish: FinishTool<T> }): Promise<LoopRun<T>> {
  const { client, limits, log, fence, finish } = input;
  const finishName = finish.declaration.name;
  const usage: TokenUsage = { input: 0, output: 0, total: 0 };
  const toolCalls: ToolCallRecord[] = [];
  const refused = new Set<string>();
  const offered = new Set<string>(input.tools);
  const declarations = [...input.tools.map((name) => toolDeclaration(REVIEW_TOOLS[name])), finish.declaration];
  const contents: Content[] = [{ role: "user", parts: [{ text: input.task }] }];
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, deadline]) : deadline;
  let turns = 0;

  const end = (reason: TerminateReason, detail?: string, result?: T): LoopRun<T> => {
    const run: LoopRun<T> = { reason, turns, usage, toolCalls, refusedTools: [...refused], ...(detail ? { detail } : {}), ...(result !== undefined ? { result } : {}) };
    log.info({ reason, turns, tokensIn: usage.input, tokensOut: usage.output, toolCalls: toolCalls.length, refused: run.refusedTools }, "agent run ended");
    metrics.agentTokens(usage.input, usage.output);
    return run;
  };
  const stopped = (): LoopRun<T> | undefined => {
    if (input.signal?.aborted) return end("aborted", "the review was cancelled");
    if (deadline.aborted) return end("timeout", `no report within ${Math.round(limits.timeoutMs / 60_000)} min`);
    return undefined;
  };
  const overBudget = (): LoopRun<T> | undefined =>
    usage.total >= limits.tokenBudget
      ? end("budget", `the review used ${usage.total.toLocaleString("en-US")} tokens, over its budget of ${limits.tokenBudget.toLocaleString("en-US")}`)
      : undefined;

  while (turns < limits.maxTurns) {
    turns++;
    let reply;
    try {
      reply = await client.generate({
        model: limits.model,
        systemInstruction: input.systemInstruction,
        contents,
        functionDeclarations: declarations,
        temperature: limits.temperature,
        signal,
      });
    } catch (error) {
      const why = stopped();
      if (why) return why;
      log.warn({ err: error, turn: turns }, "model request failed");
      return end("error", `the model request failed: ${errorMessage(error)}`);
    }
    usage.input += reply.usage.input;
    usage.output += reply.usage.output;
    usage.total += reply.usage.total;
    if ((reply.content.parts ?? []).length === 0) {
      // Nothing usable (a blocked or malformed answer): the history still ends with our turn, so
      // ask again; the turn counts.
      log.warn({ turn: turns, finishReason: reply.finishReason }, "the model answered with no content");
      const why = stopped() ?? overBudget();
      if (why) return why;
      continue;
    }
    contents.push(reply.content);

    const responses: Part[] = [];
    let accepted: { value: T } | undefined;
    for (const call of reply.functionCalls) {
      const respond = (response: Record<string, unknown>) =>
        responses.push({ functionResponse: { ...(call.id ? { id: call.id } : {}), name: call.name, response } });
      if (call.name === finishName) {
        const outcome = await finish.accept(call.args, input.workspaceRoot);
        if ("value" in outcome) {
          accepted = outcome;
          respond({ output: "Received." });
        } else {
          const message = `Not accepted. Fix these problems and call ${finishName} again:\n${outcome.problems.join("\n")}`;
          toolCalls.push({ name: call.name, error: message });
          respond({ error: message });
        }
        continue;
      }
      if (!offered.has(call.name)) {
        refused.add(call.name);
        const message = unauthorizedToolMessage(call.name);
        log.warn({ tool: call.name }, "refused a tool call");
        toolCalls.push({ name: call.name, error: message });
        respond({ error: message });
        continue;
      }
      const result = await runTool(call.name, call.args, { root: input.workspaceRoot, signal });
      toolCalls.push({ name: call.name, ...(result.error ? { error: result.error.message } : {}) });
      log.debug({ tool: call.name, error: result.error?.type }, "tool call");
      respond(result.error ? { error: result.llmContent } : { output: fence.wrap(`${call.name} result`, result.llmContent) });
    }
    if (accepted) return end("goal", undefined, accepted.value);

    const why = stopped() ?? overBudget();
    if (why) return why;
    const left = limits.maxTurns - turns;
    if (responses.length === 0) {
      contents.push({ role: "user", parts: [{ text: `Use a tool, or call ${finishName} to finish.` }, ...turnsLeftNote(left, finishName)] });
    } else {
      contents.push({ role: "user", parts: [...responses, ...turnsLeftNote(left, finishName)] });
    }
  }
  return end("max_turns", `no report after ${limits.maxTurns} turns`);
}
