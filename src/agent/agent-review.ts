import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.js";
import { errorMessage } from "../errors.js";
import type { AgentDefinition } from "./definition.js";
import { offeredTools, runAgentLoop, type AgentLimits, type AgentRun } from "./loop.js";
import type { ModelClient } from "./model/model-client.js";
import { chooseModel, type ModelChoice } from "./model/model-choice.js";
import type { ModelSettings } from "./model/model-settings.js";
import { familyTemperature } from "./model/sampling.js";
import { repositoryContext } from "./repository-context.js";
import { reviewTaskMessage, systemInstruction, type ReviewTaskInput } from "./review-task.js";
import { createUntrustedFence } from "./untrusted.js";
import type { Workspace } from "./workspace/extract.js";

/**
 * One agent run for one review: the limits (definition, then the operator's environment, then the
 * repository's settings, which may only lower them), the head commit on disk, the loop, and the
 * workspace removed afterwards. Never throws: whatever fails becomes the run's terminate reason,
 * and the review goes on with the analyser's report.
 */

export const DEFAULT_AGENT_MODEL = "gemini-3.8-flash";

export interface AgentRuntime {
  settings: ModelSettings;
  client: ModelClient;
  /** The agent definition (agents/data-engineer.md), loaded once. */
  definition(): Promise<AgentDefinition>;
}

export interface AgentOutcome {
  run: AgentRun;
  limits: AgentLimits;
  /** Tools the definition lists that the review did not offer. */
  unavailableTools: string[];
  workspace?: { files: number; bytes: number; skipped: number; truncated?: string };
}

export type AgentTask = Omit<ReviewTaskInput, "offeredTools" | "unavailableTools" | "maxTurns">;

/** The model of a run: the repository's `agent.model` only when the operator allows it. */
export function agentModel(definition: AgentDefinition, settings: ModelSettings, config: RepoConfig["agent"]): ModelChoice {
  return chooseModel(config.model, settings.model ?? definition.model ?? DEFAULT_AGENT_MODEL, settings.allowedModels);
}

export function agentLimits(definition: AgentDefinition, settings: ModelSettings, config: RepoConfig["agent"]): AgentLimits {
  const lower = (value: number, cap: number | undefined) => (cap === undefined ? value : Math.min(value, cap));
  const { model } = agentModel(definition, settings, config);
  const thinkingLevel = settings.sampling?.thinkingLevel;
  return {
    model,
    // The operator's temperature for the model's family wins over the definition's.
    temperature: lower(familyTemperature(settings.sampling?.temperatures, model) ?? definition.temperature, config.temperature),
    ...(thinkingLevel ? { thinkingLevel } : {}),
    maxTurns: lower(definition.maxTurns, config.maxTurns),
    timeoutMs: lower(definition.timeoutMins, config.timeoutMins) * 60_000,
    tokenBudget: lower(settings.tokenBudget, config.tokenBudget),
  };
}

function failedRun(detail: string): AgentRun {
  return { reason: "error", detail, turns: 0, usage: { input: 0, output: 0, total: 0 }, toolCalls: [], refusedTools: [] };
}

export interface AgentReviewInput {
  runtime: AgentRuntime;
  config: RepoConfig["agent"];
  task: AgentTask;
  openWorkspace: () => Promise<Workspace>;
  log: Logger;
  signal?: AbortSignal;
}

export async function runAgentReview(input: AgentReviewInput): Promise<AgentOutcome> {
  const log = input.log.child({ name: "agent" });
  let definition: AgentDefinition;
  try {
    definition = await input.runtime.definition();
  } catch (error) {
    const limits: AgentLimits = { model: DEFAULT_AGENT_MODEL, temperature: 0, maxTurns: 0, timeoutMs: 0, tokenBudget: 0 };
    return { run: failedRun(`the agent definition did not load: ${errorMessage(error)}`), limits, unavailableTools: [] };
  }
  const limits = agentLimits(definition, input.runtime.settings, input.config);
  const { refused } = agentModel(definition, input.runtime.settings, input.config);
  if (refused !== undefined) log.warn({ requestedModel: input.config.model, model: limits.model, reason: refused }, "agent.model refused");
  const tools = offeredTools(definition.tools);
  const unavailableTools = definition.unavailableTools;
  let workspace: Workspace;
  try {
    workspace = await input.openWorkspace();
  } catch (error) {
    log.warn({ err: error }, "could not open the head commit for the agent");
    return { run: failedRun(`the head commit could not be fetched for the agent: ${errorMessage(error)}`), limits, unavailableTools };
  }
  try {
    const fence = createUntrustedFence();
    const run = await runAgentLoop({
      client: input.runtime.client,
      limits,
      systemInstruction: systemInstruction(definition, fence, { offeredTools: tools, unavailableTools, maxTurns: limits.maxTurns }),
      task: [
        reviewTaskMessage({ ...input.task, offeredTools: tools, unavailableTools, maxTurns: limits.maxTurns }, fence),
        await repositoryContext(workspace.root, fence),
      ]
        .filter((part) => part !== "")
        .join("\n\n"),
      tools,
      workspaceRoot: workspace.root,
      fence,
      log,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    return {
      run,
      limits,
      unavailableTools,
      workspace: {
        files: workspace.files,
        bytes: workspace.bytes,
        skipped: workspace.skipped.length,
        ...(workspace.truncated ? { truncated: workspace.truncated } : {}),
      },
    };
  } catch (error) {
    log.error({ err: error }, "agent run failed");
    return { run: failedRun(`the agent failed: ${errorMessage(error)}`), limits, unavailableTools };
  } finally {
    await workspace.dispose();
  }
}
