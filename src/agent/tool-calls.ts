import type { Part } from "@google/genai";
import type { Logger } from "pino";
import { redactSecrets } from "../report/redact.js";
import { MAX_TOOL_CALLS_PER_TURN } from "./tools/limits.js";
import { LEGACY_TOOL_NAMES } from "./tool-names.js";
import { runTool, type ToolResult } from "./tools/index.js";
import type { UntrustedFence } from "./untrusted.js";

/**
 * One turn's calls of the read tools, run at the same time (they only read), answered in the
 * order the model made them. Every result is redacted (credential shapes replaced) and fenced as
 * the author's data before it reaches the model; calls past MAX_TOOL_CALLS_PER_TURN and tools the
 * run does not offer are answered with an error instead of running.
 */

export interface ModelCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
}

export interface ToolCallRecord {
  name: string;
  /** The refusal or failure the model was told, when the call did not succeed. */
  error?: string;
}

/** One answered call: the part to send back, and a short line saying what it returned. */
export interface AnsweredCall {
  part: Part;
  summary: string;
  /** Characters of the response sent to the model. */
  chars: number;
}

export interface TurnOutcome {
  answered: AnsweredCall[];
  records: ToolCallRecord[];
  /** Names of tools called that the run does not offer. */
  refused: string[];
  filesRead: string[];
}

export interface ToolCallContext {
  offered: ReadonlySet<string>;
  root: string;
  signal: AbortSignal;
  fence: UntrustedFence;
  log: Logger;
}

/** The refusal gemini-cli gives, so a definition written for it behaves the same here. */
export function unauthorizedToolMessage(name: string): string {
  return `Unauthorized tool call: '${name}' is not available to this agent.`;
}

export function tooManyCallsMessage(name: string): string {
  return `Not run: at most ${MAX_TOOL_CALLS_PER_TURN} tool calls run per turn, and '${name}' came after them. Call it again in your next turn if you still need it.`;
}

export function functionResponse(call: ModelCall, response: Record<string, unknown>): Part {
  return { functionResponse: { ...(call.id ? { id: call.id } : {}), name: call.name, response } };
}

export async function runToolCalls(calls: readonly ModelCall[], ctx: ToolCallContext): Promise<TurnOutcome> {
  const outcome: TurnOutcome = { answered: [], records: [], refused: [], filesRead: [] };
  type Ran = { call: ModelCall; result: ToolResult } | { call: ModelCall; error: string; refused: boolean; result?: undefined };
  const results = await Promise.all(
    calls.map(async (call, index): Promise<Ran> => {
      // A model that learnt gemini-cli's older names (search_file_content) gets the tool it meant.
      const name = LEGACY_TOOL_NAMES[call.name] ?? call.name;
      if (!ctx.offered.has(name)) return { call, error: unauthorizedToolMessage(call.name), refused: true };
      if (index >= MAX_TOOL_CALLS_PER_TURN) return { call, error: tooManyCallsMessage(call.name), refused: false };
      return { call, result: await runTool(name, call.args, { root: ctx.root, signal: ctx.signal }) };
    }),
  );
  for (const entry of results) {
    const { call } = entry;
    if (entry.result === undefined) {
      if (entry.refused) {
        outcome.refused.push(call.name);
        ctx.log.warn({ tool: call.name }, "refused a tool call");
      }
      outcome.records.push({ name: call.name, error: entry.error });
      outcome.answered.push({ part: functionResponse(call, { error: entry.error }), summary: `${call.name}: not run`, chars: entry.error.length });
      continue;
    }
    const { result } = entry;
    outcome.records.push({ name: call.name, ...(result.error ? { error: result.error.message } : {}) });
    ctx.log.debug({ tool: call.name, error: result.error?.type }, "tool call");
    outcome.filesRead.push(...(result.filesRead ?? []));
    // Redacted before it leaves the process: a credential committed to the repository must not
    // reach the model provider, nor come back quoted in a finding.
    const text = redactSecrets(result.llmContent);
    const response = result.error ? { error: text } : { output: ctx.fence.wrap(`${call.name} result`, text) };
    outcome.answered.push({ part: functionResponse(call, response), summary: result.display, chars: text.length });
  }
  return outcome;
}
