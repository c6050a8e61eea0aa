import type { Logger } from "pino";
import { packageFile } from "../package-files.js";
import type { AgentRuntime } from "./agent-review.js";
import type { AgentDefinition } from "./definition.js";
import { createGeminiClient, type ModelClient } from "./model/model-client.js";
import { modelSettingsFromEnv, type ModelSettings } from "./model/model-settings.js";

/** The agent definition data-engineer ships; DATA_ENGINEER_AGENT_FILE names another. */
export const BUNDLED_AGENT_FILE = packageFile("agents", "data-engineer.md");

export function agentDefinitionFile(env: NodeJS.ProcessEnv): string {
  return env.DATA_ENGINEER_AGENT_FILE?.trim() || BUNDLED_AGENT_FILE;
}

/** A runtime whose definition is read once, on first use; a failed read is tried again next time. */
export function createAgentRuntime(settings: ModelSettings, client: ModelClient, file: string): AgentRuntime {
  let loading: Promise<AgentDefinition> | undefined;
  return {
    settings,
    client,
    definition() {
      // The definition's reader (YAML, zod) is imported with it, on the first review, not at start.
      loading ??= import("./definition.js")
        .then(({ loadAgentDefinition }) => loadAgentDefinition(file))
        .catch((error: unknown) => {
          loading = undefined;
          throw error;
        });
      return loading;
    },
  };
}

/**
 * The agent as the environment configures it, or undefined when no Gemini credentials are set:
 * then every review is the analyser's alone, exactly as without the agent.
 */
export function agentRuntimeFromEnv(env: NodeJS.ProcessEnv, log?: Logger): AgentRuntime | undefined {
  const { settings, problems } = modelSettingsFromEnv(env);
  for (const problem of problems) log?.warn(problem);
  if (!settings || problems.length > 0) return undefined;
  return createAgentRuntime(settings, createGeminiClient(settings, log ? { log } : {}), agentDefinitionFile(env));
}
