import { describe, expect, it } from "vitest";
import { DEFAULT_TOKEN_BUDGET, modelSettingsFromEnv } from "../../../src/agent/model/model-settings.js";

const KEY = "AIzaSy-test-secret-key-0123456789";

describe("modelSettingsFromEnv", () => {
  it("leaves the agent off, without problems, when nothing is configured", () => {
    expect(modelSettingsFromEnv({})).toEqual({ problems: [] });
    expect(modelSettingsFromEnv({ GEMINI_API_KEY: "  ", GOOGLE_GENAI_USE_VERTEXAI: "false" })).toEqual({ problems: [] });
  });

  it("uses the Gemini API with GEMINI_API_KEY and the default budget", () => {
    expect(modelSettingsFromEnv({ GEMINI_API_KEY: ` ${KEY} ` })).toEqual({
      settings: { backend: "gemini-api", apiKey: KEY, tokenBudget: DEFAULT_TOKEN_BUDGET },
      problems: [],
    });
    expect(DEFAULT_TOKEN_BUDGET).toBe(400_000);
  });

  it("falls back to GOOGLE_API_KEY, and prefers GEMINI_API_KEY when both are set", () => {
    expect(modelSettingsFromEnv({ GOOGLE_API_KEY: KEY }).settings?.apiKey).toBe(KEY);
    expect(modelSettingsFromEnv({ GOOGLE_API_KEY: "other", GEMINI_API_KEY: KEY }).settings?.apiKey).toBe(KEY);
  });

  it("reads the gateway, the model override and the budget", () => {
    const { settings, problems } = modelSettingsFromEnv({
      GEMINI_API_KEY: KEY,
      GEMINI_BASE_URL: "https://gateway.example.com/google-ai/",
      GEMINI_MODEL: "gemini-2.5-flash",
      DATA_ENGINEER_AGENT_TOKEN_BUDGET: "250_000",
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      backend: "gemini-api",
      apiKey: KEY,
      baseUrl: "https://gateway.example.com/google-ai",
      model: "gemini-2.5-flash",
      tokenBudget: 250_000,
    });
  });

  it("uses Vertex AI with project and location (ADC), over a key", () => {
    const env = { GOOGLE_GENAI_USE_VERTEXAI: "true", GOOGLE_CLOUD_PROJECT: "my-project-123", GOOGLE_CLOUD_LOCATION: "us-central1", GOOGLE_API_KEY: KEY };
    expect(modelSettingsFromEnv(env)).toEqual({
      settings: { backend: "vertex-ai", project: "my-project-123", location: "us-central1", tokenBudget: DEFAULT_TOKEN_BUDGET },
      problems: [],
    });
  });

  it("uses Vertex AI express mode with only an API key", () => {
    expect(modelSettingsFromEnv({ GOOGLE_GENAI_USE_VERTEXAI: "TRUE", GOOGLE_API_KEY: KEY }).settings).toEqual({
      backend: "vertex-ai",
      apiKey: KEY,
      tokenBudget: DEFAULT_TOKEN_BUDGET,
    });
  });

  it("reports incomplete Vertex AI settings", () => {
    expect(modelSettingsFromEnv({ GOOGLE_GENAI_USE_VERTEXAI: "true" }).problems).toEqual([
      expect.stringMatching(/GOOGLE_GENAI_USE_VERTEXAI.*GOOGLE_CLOUD_PROJECT.*GOOGLE_CLOUD_LOCATION/),
    ]);
    const half = modelSettingsFromEnv({ GOOGLE_GENAI_USE_VERTEXAI: "true", GOOGLE_CLOUD_PROJECT: "my-project" });
    expect(half.settings).toBeUndefined();
    expect(half.problems).toEqual([expect.stringContaining("GOOGLE_CLOUD_LOCATION is not set")]);
  });

  it.each([
    [{ GOOGLE_GENAI_USE_VERTEXAI: "yes" }, "GOOGLE_GENAI_USE_VERTEXAI"],
    [{ GEMINI_BASE_URL: "gateway.example.com" }, "GEMINI_BASE_URL"],
    [{ GEMINI_BASE_URL: "ftp://gateway.example.com" }, "GEMINI_BASE_URL"],
    [{ GEMINI_BASE_URL: "https://gateway.example.com/?x=1" }, "GEMINI_BASE_URL"],
    [{ GEMINI_MODEL: "gemini 2.5" }, "GEMINI_MODEL"],
    [{ GEMINI_MODEL: "../../v1/files" }, "GEMINI_MODEL"],
    [{ DATA_ENGINEER_AGENT_TOKEN_BUDGET: "0" }, "DATA_ENGINEER_AGENT_TOKEN_BUDGET"],
    [{ DATA_ENGINEER_AGENT_TOKEN_BUDGET: "-5" }, "DATA_ENGINEER_AGENT_TOKEN_BUDGET"],
    [{ DATA_ENGINEER_AGENT_TOKEN_BUDGET: "1.5" }, "DATA_ENGINEER_AGENT_TOKEN_BUDGET"],
    [{ DATA_ENGINEER_AGENT_TOKEN_BUDGET: "lots" }, "DATA_ENGINEER_AGENT_TOKEN_BUDGET"],
    [{ DATA_ENGINEER_AGENT_TOKEN_BUDGET: "99999999999999999999" }, "DATA_ENGINEER_AGENT_TOKEN_BUDGET"],
    [{ GOOGLE_GENAI_USE_VERTEXAI: "true", GOOGLE_CLOUD_PROJECT: "My Project", GOOGLE_CLOUD_LOCATION: "us-central1" }, "GOOGLE_CLOUD_PROJECT"],
    [{ GOOGLE_GENAI_USE_VERTEXAI: "true", GOOGLE_CLOUD_PROJECT: "p-1234", GOOGLE_CLOUD_LOCATION: "us/central1" }, "GOOGLE_CLOUD_LOCATION"],
  ])("reports a malformed value, naming the variable: %o", (extra, variable) => {
    const result = modelSettingsFromEnv({ GEMINI_API_KEY: KEY, ...extra });
    expect(result.settings).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(variable);
    expect(result.problems[0]).toMatch(/\.$/);
  });

  it("never puts the key in a problem", () => {
    const spaced = `${KEY} trailing-note`;
    const result = modelSettingsFromEnv({ GEMINI_API_KEY: spaced, GEMINI_MODEL: KEY + " x", GOOGLE_GENAI_USE_VERTEXAI: "maybe" });
    expect(result.problems.length).toBeGreaterThan(0);
    expect(result.problems.join("\n")).toContain("GEMINI_API_KEY contains whitespace");
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});
