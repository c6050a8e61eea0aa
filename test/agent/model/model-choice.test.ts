import { describe, expect, it } from "vitest";
import { agentLimits, DEFAULT_AGENT_MODEL } from "../../../src/agent/agent-review.js";
import { loadAgentDefinition } from "../../../src/agent/definition.js";
import { chooseModel } from "../../../src/agent/model/model-choice.js";
import { modelSettingsFromEnv, type ModelSettings } from "../../../src/agent/model/model-settings.js";
import { BUNDLED_AGENT_FILE } from "../../../src/agent/runtime.js";
import { parseRepoConfigDocument } from "../../../src/config/repo-config.js";

const KEY = "AIzaSy-test-secret-key-0123456789";

function settingsOf(env: NodeJS.ProcessEnv): ModelSettings {
  const { settings, problems } = modelSettingsFromEnv({ GEMINI_API_KEY: KEY, ...env });
  expect(problems).toEqual([]);
  if (!settings) throw new Error("no settings");
  return settings;
}

const repoAgent = (model: string) => parseRepoConfigDocument(`agent:\n  model: ${model}\n`, "test").config.agent;

describe("the model a repository's review runs on", () => {
  it("ignores a repository's agent.model that the operator did not allow, using the server's model with the reason", async () => {
    const definition = await loadAgentDefinition(BUNDLED_AGENT_FILE);
    const settings = settingsOf({ GEMINI_MODEL: "gemini-2.5-flash" });
    expect(agentLimits(definition, settings, repoAgent("gemini-2.5-pro")).model).toBe("gemini-2.5-flash");
    expect(chooseModel("gemini-2.5-pro", "gemini-2.5-flash", settings.allowedModels)).toEqual({
      model: "gemini-2.5-flash",
      refused:
        "the repository's agent.model gemini-2.5-pro is not among the models this server allows (DATA_ENGINEER_AGENT_MODELS), so gemini-2.5-flash was used",
    });
  });

  it("without an allow-list, keeps the server's default model whatever the repository asks", async () => {
    const definition = await loadAgentDefinition(BUNDLED_AGENT_FILE);
    const limits = agentLimits(definition, settingsOf({}), repoAgent("gemini-2.5-pro"));
    expect(limits.model).toBe(definition.model ?? DEFAULT_AGENT_MODEL);
  });

  it("uses a repository's agent.model on the operator's list", async () => {
    const definition = await loadAgentDefinition(BUNDLED_AGENT_FILE);
    const settings = settingsOf({ DATA_ENGINEER_AGENT_MODELS: " gemini-2.5-pro , gemini-2.5-flash-lite " });
    expect(settings.allowedModels).toEqual(["gemini-2.5-pro", "gemini-2.5-flash-lite"]);
    expect(agentLimits(definition, settings, repoAgent("gemini-2.5-flash-lite")).model).toBe("gemini-2.5-flash-lite");
    expect(agentLimits(definition, settings, repoAgent("gemini-9-ultra")).model).toBe(definition.model ?? DEFAULT_AGENT_MODEL);
  });

  it("uses the server's model when the repository names none or names it", () => {
    expect(chooseModel(undefined, "m1", undefined)).toEqual({ model: "m1" });
    expect(chooseModel("m1", "m1", undefined)).toEqual({ model: "m1" });
  });

  it("reports a malformed DATA_ENGINEER_AGENT_MODELS by name", () => {
    expect(modelSettingsFromEnv({ GEMINI_API_KEY: KEY, DATA_ENGINEER_AGENT_MODELS: "gemini-2.5-pro, bad model" }).problems).toEqual([
      "DATA_ENGINEER_AGENT_MODELS must be model names separated by commas, such as gemini-2.5-pro,gemini-2.5-flash.",
    ]);
    expect(modelSettingsFromEnv({ GEMINI_API_KEY: KEY, DATA_ENGINEER_AGENT_MODELS: " , " }).problems).toHaveLength(1);
  });
});
