import type { Content, Part } from "@google/genai";
import type { Logger } from "pino";
import { errorMessage } from "../errors.js";
import { metrics } from "../ops/metrics.js";
import type { FinishTool } from "./finish-tool.js";
import { handoffReportFinish } from "./handoff-finish.js";
import type { HandoffReport } from "./handoff-report.js";
import { ToolResultHistory } from "./history-compression.js";
import { RepeatedCallDetector, REPEATS_BEFORE_NUDGE, loopNudge } from "./loop-detector.js";
import type { ModelClient, ModelReply } from "./model/model-client.js";
import type { ThinkingLevelName } from "./model/sampling.js";
import { functionResponse, runToolCalls, type ModelCall, type ToolCallRecord } from "./tool-calls.js";
import { REVIEW_TOOLS, toolDeclaration } from "./tools/index.js";
import { isReviewToolName, type ReviewToolName } from "./tool-names.js";
import type { UntrustedFence } from "./untrusted.js";

export type { FinishTool } from "./finish-tool.js";
export { unauthorizedToolMessage, type ToolCallRecord } from "./tool-calls.js";

/**
 * The agent loop: the model reads the repository through the offered tools until it submits its
 * answer through the finish tool. A run that hits its turn limit, its deadline, a loop, or the
 * edge of its token budget gets one grace turn in which only the finish tool may be called; if
 * that fails too, what the run learnt becomes a partial answer (for the review: a partial Handoff
 * Report, labelled as such). Nothing in here throws to the caller.
 */

export type TerminateReason = "goal" | "max_turns" | "timeout" | "aborted" | "budget" | "loop" | "error";

export interface AgentLimits {
  model: string;
  temperature: number;
  maxTurns: number;
  timeoutMs: number;
  /** Tokens (input + output, summed over turns) after which the run stops. */
  tokenBudget: number;
  thinkingLevel?: ThinkingLevelName;
}

export interface TokenUsage {
  input: number;
  output: number;
  total: number;
}

export interface LoopRun<T> {
  reason: TerminateReason;
  /** Why the run ended, for people, when it did not reach its goal. */
  detail?: string;
  /** The answer: submitted through the finish tool, or, when `partial`, made of what the run learnt. */
  result?: T;
  /** The result was not submitted by the model but assembled from what the run learnt. */
  partial?: boolean;
  /** The result was submitted in the grace turn, after a limit ended the run. */
  graceTurn?: boolean;
  /** What was changed in the submitted answer: parts left out as wrong (a finding on a line that does not exist), findings moved to the line they quote or to the body. */
  dropped?: string[];
  turns: number;
  usage: TokenUsage;
  toolCalls: ToolCallRecord[];
  /** Tools the model called that it may not use. */
  refusedTools: string[];
}

export interface AgentRun extends Omit<LoopRun<HandoffReport>, "result"> {
  report?: HandoffReport;
}

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
  /** How long the grace turn may take (default GRACE_TURN_MS). */
  graceMs?: number;
}

/** The grace turn's own deadline: the run's may already have passed (gemini-cli gives one minute too). */
export const GRACE_TURN_MS = 60_000;

/** The review tools a definition may use: its list, in its order, intersected with ours. */
export function offeredTools(declared: readonly string[]): ReviewToolName[] {
  return declared.filter(isReviewToolName);
}

function turnsLeftNote(left: number, finish: string): Part[] {
  if (left > 2) return [];
  return [{ text: left === 1 ? `This is your last turn: call ${finish} now with what you have.` : `${left} turns left: call ${finish} soon.` }];
}

function graceMessage(why: string, finish: string): string {
  return `${why}. You have one final turn: call ${finish} now with your best answer, and say in it that the review was interrupted and what you did not get to. No other tool is available.`;
}

/** "8 min", or "300 ms" for the short deadlines of tests. */
function durationText(ms: number): string {
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return ms >= 1_000 ? `${Math.round(ms / 1_000)} s` : `${ms} ms`;
}

/** The review: the loop with the Handoff Report as its finish tool. */
export async function runAgentLoop(input: AgentLoopInput): Promise<AgentRun> {
  const { result, ...run } = await runToolLoop({ ...input, finish: handoffReportFinish() });
  return result ? { ...run, report: result } : run;
}

interface Ending {
  reason: Exclude<TerminateReason, "goal">;
  detail: string;
  /** One more request, with only the finish tool, may still bring the answer. */
  grace: boolean;
}

export async function runToolLoop<T>(input: AgentLoopInput & { finish: FinishTool<T> }): Promise<LoopRun<T>> {
  const { client, limits, log, fence, finish } = input;
  const finishName = finish.declaration.name;
  const finishNames = new Set([finishName, ...(finish.aliases ?? [])]);
  const usage: TokenUsage = { input: 0, output: 0, total: 0 };
  const toolCalls: ToolCallRecord[] = [];
  const refused = new Set<string>();
  const filesRead = new Set<string>();
  const offered = new Set<string>(input.tools);
  const declarations = [...input.tools.map((name) => toolDeclaration(REVIEW_TOOLS[name])), finish.declaration];
  const contents: Content[] = [{ role: "user", parts: [{ text: input.task }] }];
  const history = new ToolResultHistory(fence);
  const repeats = new RepeatedCallDetector();
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, deadline]) : deadline;
  let turns = 0;
  let lastInput = 0;
  const thinking = limits.thinkingLevel ? { thinkingLevel: limits.thinkingLevel } : {};

  const end = (reason: TerminateReason, detail: string | undefined, extra: Partial<LoopRun<T>> = {}): LoopRun<T> => {
    const run: LoopRun<T> = { reason, turns, usage, toolCalls, refusedTools: [...refused], ...(detail ? { detail } : {}), ...extra };
    log.info(
      {
        reason,
        turns,
        tokensIn: usage.input,
        tokensOut: usage.output,
        toolCalls: toolCalls.length,
        refused: run.refusedTools,
        partial: run.partial === true,
        grace: run.graceTurn === true,
        elidedChars: history.savedChars,
      },
      "agent run ended",
    );
    metrics.agentTokens(usage.input, usage.output);
    return run;
  };
  const account = (reply: ModelReply) => {
    usage.input += reply.usage.input;
    usage.output += reply.usage.output;
    usage.total += reply.usage.total;
    lastInput = reply.usage.input;
  };
  const stopped = (): Ending | undefined => {
    if (input.signal?.aborted) return { reason: "aborted", detail: "the review was cancelled", grace: false };
    if (deadline.aborted) return { reason: "timeout", detail: `no report within ${durationText(limits.timeoutMs)}`, grace: true };
    return undefined;
  };
  const budgetDetail = () => `the review used ${usage.total.toLocaleString("en-US")} tokens, over its budget of ${limits.tokenBudget.toLocaleString("en-US")}`;
  /** Adds text to the newest user turn (the history must not hold two user turns in a row). */
  const tellModel = (parts: Part[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === "user") last.parts = [...(last.parts ?? []), ...parts];
    else contents.push({ role: "user", parts });
  };
  /** Calls of the finish tool in one reply, in order; the first accepted one wins. */
  type Finished = { value: T; dropped: string[]; responses: Part[] } | { responses: Part[] };
  const acceptFinish = async (calls: readonly ModelCall[], final: boolean): Promise<Finished> => {
    const responses: Part[] = [];
    for (const call of calls) {
      const outcome = await finish.accept(call.args, { workspaceRoot: input.workspaceRoot, final });
      if ("value" in outcome) {
        responses.push(functionResponse(call, { output: "Received." }));
        return { value: outcome.value, dropped: outcome.dropped ?? [], responses };
      }
      const message = `Not accepted. Fix these problems and call ${finishName} again:\n${outcome.problems.join("\n")}`;
      toolCalls.push({ name: call.name, error: message });
      responses.push(functionResponse(call, { error: message }));
    }
    return { responses };
  };

  let ending: Ending | undefined;
  while (ending === undefined) {
    if (turns >= limits.maxTurns) {
      ending = { reason: "max_turns", detail: `no report after ${limits.maxTurns} turns`, grace: true };
      break;
    }
    // The next request costs about what the last one did, plus the growth: when that would cross
    // the budget, the next request is the grace turn instead, so that the report fits.
    if (lastInput > 0 && usage.total + 2 * lastInput > limits.tokenBudget) {
      ending = {
        reason: "budget",
        detail: `the review was about to exceed its token budget of ${limits.tokenBudget.toLocaleString("en-US")} (${usage.total.toLocaleString("en-US")} used)`,
        grace: true,
      };
      break;
    }
    turns++;
    history.compress(turns, lastInput > 0 && usage.total + 4 * lastInput > limits.tokenBudget);
    let reply: ModelReply;
    try {
      reply = await client.generate({
        model: limits.model,
        systemInstruction: input.systemInstruction,
        contents,
        functionDeclarations: declarations,
        temperature: limits.temperature,
        ...thinking,
        signal,
      });
    } catch (error) {
      ending = stopped();
      if (ending) break;
      log.warn({ err: error, turn: turns }, "model request failed");
      ending = { reason: "error", detail: `the model request failed: ${errorMessage(error)}`, grace: false };
      break;
    }
    account(reply);
    if ((reply.content.parts ?? []).length === 0) {
      // Nothing usable (a blocked or malformed answer): the history still ends with our turn, so
      // ask again; the turn counts.
      log.warn({ turn: turns, finishReason: reply.finishReason }, "the model answered with no content");
      ending = stopped() ?? (usage.total >= limits.tokenBudget ? { reason: "budget", detail: budgetDetail(), grace: false } : undefined);
      continue;
    }
    contents.push(reply.content);

    const finishCalls = reply.functionCalls.filter((c) => finishNames.has(c.name));
    const otherCalls = reply.functionCalls.filter((c) => !finishNames.has(c.name));
    const outcome = await runToolCalls(otherCalls, { offered, root: input.workspaceRoot, signal, fence, log });
    toolCalls.push(...outcome.records);
    for (const name of outcome.refused) refused.add(name);
    for (const path of outcome.filesRead) filesRead.add(path);
    const finished = await acceptFinish(finishCalls, turns >= limits.maxTurns);
    if ("value" in finished) return end("goal", undefined, { result: finished.value, ...(finished.dropped.length > 0 ? { dropped: finished.dropped } : {}) });

    // Every call is answered before anything else is said, as Gemini requires.
    const answered = [...outcome.answered.map((a) => a.part), ...finished.responses];
    for (const a of outcome.answered) history.record(turns, a.part, a.summary, a.chars);
    if (answered.length > 0) contents.push({ role: "user", parts: answered });
    else tellModel([{ text: `Use a tool, or call ${finishName} to finish.` }]);

    ending = stopped() ?? (usage.total >= limits.tokenBudget ? { reason: "budget", detail: budgetDetail(), grace: false } : undefined);
    if (ending) break;
    const verdict = repeats.observe(reply.functionCalls);
    if (verdict === "stop") {
      ending = { reason: "loop", detail: `the model repeated the same calls turn after turn`, grace: true };
      break;
    }
    tellModel([...(verdict === "nudge" ? [{ text: loopNudge(finishName, REPEATS_BEFORE_NUDGE) }] : []), ...turnsLeftNote(limits.maxTurns - turns, finishName)]);
  }

  if (ending.reason === "aborted") return end(ending.reason, ending.detail);
  if (ending.grace) {
    const answer = await graceTurn(ending);
    if (answer)
      return end(ending.reason, `${ending.detail}; the report came in the grace turn`, {
        result: answer.value,
        graceTurn: true,
        ...(answer.dropped.length > 0 ? { dropped: answer.dropped } : {}),
      });
  }
  // An error before anything was read leaves nothing worth a partial answer.
  const knowledge = { detail: ending.detail, turns, filesRead: [...filesRead] };
  const partial = ending.reason === "error" && filesRead.size === 0 ? undefined : finish.partial?.(knowledge);
  return end(ending.reason, ending.detail, partial !== undefined ? { result: partial, partial: true } : {});

  /** One request offering only the finish tool, under its own short deadline. */
  async function graceTurn(why: Ending): Promise<{ value: T; dropped: string[] } | undefined> {
    const graceSignal = AbortSignal.timeout(input.graceMs ?? GRACE_TURN_MS);
    history.compress(turns + 1, true);
    tellModel([{ text: graceMessage(`The review has reached a limit (${why.detail})`, finishName) }]);
    try {
      const reply = await client.generate({
        model: limits.model,
        systemInstruction: input.systemInstruction,
        contents,
        functionDeclarations: [finish.declaration],
        allowedFunctionNames: [finishName],
        temperature: limits.temperature,
        ...thinking,
        signal: input.signal ? AbortSignal.any([input.signal, graceSignal]) : graceSignal,
      });
      account(reply);
      const calls = reply.functionCalls.filter((c) => finishNames.has(c.name));
      const finished = await acceptFinish(calls, true);
      if ("value" in finished) return { value: finished.value, dropped: finished.dropped };
      log.warn({ calls: reply.functionCalls.map((c) => c.name) }, "the grace turn brought no report");
    } catch (error) {
      log.warn({ err: error }, "the grace turn failed");
    }
    return undefined;
  }
}
