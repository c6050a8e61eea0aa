import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { agentLimits } from "../../../src/agent/agent-review.js";
import { loadFrontMatterParser, parseAgentDefinition } from "../../../src/agent/definition.js";
import { runAgentLoop } from "../../../src/agent/loop.js";
import { createGeminiClient } from "../../../src/agent/model/model-client.js";
import { modelSettingsFromEnv } from "../../../src/agent/model/model-settings.js";
import { familyTemperature } from "../../../src/agent/model/sampling.js";
import { createUntrustedFence } from "../../../src/agent/untrusted.js";
import { fakeGemini, type FakeGemini } from "../../helpers/fake-gemini.js";

// parseAgentDefinition needs gray-matter loaded (it is loaded on first use).
await loadFrontMatterParser();

const definition = parseAgentDefinition("---\nname: r\ndescription: R.\ntemperature: 0.2\n---\nReview.\n", "r.md");
const env = (extra: Record<string, string>) => ({ GEMINI_API_KEY: "k", ...extra });

let gemini: FakeGemini | undefined;
afterEach(() => gemini?.stop());

describe("sampling per model family", () => {
  it("reads the operator's per-family temperatures and thinking level from the environment", () => {
    const { settings, problems } = modelSettingsFromEnv(
      env({ DATA_ENGINEER_AGENT_TEMPERATURES: "gemini-3=1.0, gemini-3.8-flash=0.7,gemini-2.5=0.2", DATA_ENGINEER_AGENT_THINKING_LEVEL: "LOW" }),
    );
    expect(problems).toEqual([]);
    expect(settings?.sampling?.thinkingLevel).toBe("low");
    // The longest matching prefix wins; a family not named keeps the definition's.
    expect(familyTemperature(settings?.sampling?.temperatures, "gemini-3.8-flash")).toBe(0.7);
    expect(familyTemperature(settings?.sampling?.temperatures, "models/gemini-3-pro")).toBe(1);
    expect(familyTemperature(settings?.sampling?.temperatures, "gemma-4")).toBeUndefined();
  });

  it("refuses malformed values by variable name", () => {
    expect(modelSettingsFromEnv(env({ DATA_ENGINEER_AGENT_TEMPERATURES: "gemini-3=hot" })).problems[0]).toMatch(/^DATA_ENGINEER_AGENT_TEMPERATURES must be/);
    expect(modelSettingsFromEnv(env({ DATA_ENGINEER_AGENT_THINKING_LEVEL: "max" })).problems[0]).toMatch(
      /^DATA_ENGINEER_AGENT_THINKING_LEVEL must be one of minimal, low, medium, high/,
    );
  });

  it("uses the definition's temperature unless the model's family has an override, which the repository may still lower", () => {
    // The repository picks its models from the operator's allow-list.
    const { settings } = modelSettingsFromEnv(
      env({
        DATA_ENGINEER_AGENT_TEMPERATURES: "gemini-3=1.0",
        DATA_ENGINEER_AGENT_THINKING_LEVEL: "high",
        DATA_ENGINEER_AGENT_MODELS: "gemini-3-pro,gemini-2.5-pro",
      }),
    );
    if (!settings) throw new Error("no settings");
    expect(agentLimits(definition, settings, { enabled: true, model: "gemini-3-pro" }).temperature).toBe(1);
    expect(agentLimits(definition, settings, { enabled: true, model: "gemini-2.5-pro" }).temperature).toBe(0.2);
    expect(agentLimits(definition, settings, { enabled: true, model: "gemini-3-pro", temperature: 0.5 }).temperature).toBe(0.5);
    expect(agentLimits(definition, settings, { enabled: true }).thinkingLevel).toBe("high");
  });

  it("sends the thinking level in the request", async () => {
    gemini = fakeGemini({ model: "gemini-test" });
    gemini.reply({ call: { name: "submit_handoff_report", args: { result: "not a report" } } }, { text: "no" });
    await runAgentLoop({
      client: createGeminiClient({ backend: "gemini-api", apiKey: "k", tokenBudget: 1_000 }, { requestTimeoutMs: 2_000 }),
      limits: { model: "gemini-test", temperature: 1, maxTurns: 1, timeoutMs: 10_000, tokenBudget: 1_000_000, thinkingLevel: "low" },
      systemInstruction: "Review.",
      task: "Review.",
      tools: [],
      workspaceRoot: "/nonexistent",
      fence: createUntrustedFence("cafe"),
      log: pino({ level: "silent" }),
    });
    expect(gemini.requests[0]?.generationConfig?.thinkingConfig).toEqual({ thinkingLevel: "LOW" });
    expect(gemini.requests[0]?.generationConfig?.temperature).toBe(1);
  });
});
