import { SAMPLING_ENV_VARIABLES, samplingFromEnv, type SamplingSettings } from "./sampling.js";

/**
 * How the review agent reaches Gemini, read from the process environment. The variables follow
 * the Gemini SDK's and gemini-cli's names, so an operator who has used either sets the same ones.
 *
 * Without an API key and without Vertex AI the agent does not run, and that is not a problem: the
 * deterministic rules still review. A variable that is set but malformed is a problem, reported
 * by name and never with its value (the value may be a secret).
 */

export interface ModelSettings {
  backend: "gemini-api" | "vertex-ai";
  /** Gemini API key, or a Vertex AI express-mode key. Never logged, never put in a message. */
  apiKey?: string;
  /** Vertex AI with Application Default Credentials: the Google Cloud project and location. */
  project?: string;
  location?: string;
  /** A gateway (proxy) that forwards to the Gemini or Vertex AI REST API. */
  baseUrl?: string;
  /** The operator's choice of model, over the agent definition's. */
  model?: string;
  /**
   * Models a repository's `agent.model` may pick (DATA_ENGINEER_AGENT_MODELS); undefined: only
   * the server's own model (see model-choice.ts).
   */
  allowedModels?: readonly string[];
  /** Tokens (input + output) one review may spend. */
  tokenBudget: number;
  /** Per-family temperatures and the thinking level, set by the operator. */
  sampling?: SamplingSettings;
}

export const DEFAULT_TOKEN_BUDGET = 400_000;

export interface ModelSettingsResult {
  settings?: ModelSettings;
  problems: string[];
}

/** Variables read here, for documentation and startup messages. */
export const MODEL_ENV_VARIABLES = [
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "GOOGLE_GENAI_USE_VERTEXAI",
  "GOOGLE_CLOUD_PROJECT",
  "GOOGLE_CLOUD_LOCATION",
  "GEMINI_BASE_URL",
  "GEMINI_MODEL",
  "DATA_ENGINEER_AGENT_TOKEN_BUDGET",
  "DATA_ENGINEER_AGENT_MODELS",
  ...SAMPLING_ENV_VARIABLES,
] as const;

type Env = NodeJS.ProcessEnv;

/** A variable's value, trimmed; empty counts as unset. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function readApiKey(env: Env, problems: string[]): string | undefined {
  for (const name of ["GEMINI_API_KEY", "GOOGLE_API_KEY"]) {
    const key = read(env, name);
    if (key === undefined) continue;
    // Described, never quoted: the value is a secret.
    if (/\s/.test(key)) {
      problems.push(`${name} contains whitespace; set it to the API key alone.`);
      return undefined;
    }
    return key;
  }
  return undefined;
}

function readFlag(env: Env, name: string, problems: string[]): boolean {
  const value = read(env, name);
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  problems.push(`${name} must be true or false.`);
  return false;
}

/** Project IDs (and legacy domain-scoped ones such as example.com:project) go into URL paths. */
const PROJECT_ID = /^[a-z][a-z0-9.:-]*[a-z0-9]$/;
const LOCATION = /^[a-z][a-z0-9-]*[a-z0-9]$/;
/** Model names, plain or as resource names (models/…, publishers/google/models/…). */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._@:/-]*$/;

function readBaseUrl(env: Env, problems: string[]): string | undefined {
  const value = read(env, "GEMINI_BASE_URL");
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push("GEMINI_BASE_URL must be an http(s) URL, such as https://gateway.example.com/gemini.");
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push("GEMINI_BASE_URL must be an http(s) URL, such as https://gateway.example.com/gemini.");
    return undefined;
  }
  if (url.search || url.hash) {
    problems.push("GEMINI_BASE_URL must not have a query or a fragment: the API path is appended to it.");
    return undefined;
  }
  return url.href.replace(/\/+$/, "");
}

function readModel(env: Env, problems: string[]): string | undefined {
  const value = read(env, "GEMINI_MODEL");
  if (value === undefined) return undefined;
  if (!MODEL_NAME.test(value) || value.includes("..")) {
    problems.push("GEMINI_MODEL must be a model name, such as gemini-2.5-pro.");
    return undefined;
  }
  return value;
}

/** DATA_ENGINEER_AGENT_MODELS: model names separated by commas. */
function readAllowedModels(env: Env, problems: string[]): string[] | undefined {
  const value = read(env, "DATA_ENGINEER_AGENT_MODELS");
  if (value === undefined) return undefined;
  const models = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (models.length === 0 || models.some((name) => !MODEL_NAME.test(name) || name.includes(".."))) {
    problems.push("DATA_ENGINEER_AGENT_MODELS must be model names separated by commas, such as gemini-2.5-pro,gemini-2.5-flash.");
    return undefined;
  }
  return models;
}

function readTokenBudget(env: Env, problems: string[]): number {
  const value = read(env, "DATA_ENGINEER_AGENT_TOKEN_BUDGET");
  if (value === undefined) return DEFAULT_TOKEN_BUDGET;
  // Digits, optionally grouped with underscores as in 400_000.
  const budget = /^\d+(_\d+)*$/.test(value) ? Number(value.replaceAll("_", "")) : Number.NaN;
  if (!Number.isSafeInteger(budget) || budget <= 0) {
    problems.push(`DATA_ENGINEER_AGENT_TOKEN_BUDGET must be a positive whole number of tokens (default ${DEFAULT_TOKEN_BUDGET}).`);
    return DEFAULT_TOKEN_BUDGET;
  }
  return budget;
}

/**
 * Reads the model settings. `settings` is undefined when the agent is not configured (no key, no
 * Vertex AI) or when any variable is malformed; `problems` then says what to fix, one sentence per
 * variable.
 */
export function modelSettingsFromEnv(env: NodeJS.ProcessEnv): ModelSettingsResult {
  const problems: string[] = [];
  const apiKey = readApiKey(env, problems);
  const vertex = readFlag(env, "GOOGLE_GENAI_USE_VERTEXAI", problems);
  const baseUrl = readBaseUrl(env, problems);
  const model = readModel(env, problems);
  const tokenBudget = readTokenBudget(env, problems);
  const allowedModels = readAllowedModels(env, problems);
  const sampling = samplingFromEnv(env, problems);
  const hasSampling = sampling.temperatures !== undefined || sampling.thinkingLevel !== undefined;
  const optional = {
    ...(baseUrl ? { baseUrl } : {}),
    ...(model ? { model } : {}),
    ...(allowedModels ? { allowedModels } : {}),
    tokenBudget,
    ...(hasSampling ? { sampling } : {}),
  };

  let settings: ModelSettings | undefined;
  if (vertex) {
    const project = read(env, "GOOGLE_CLOUD_PROJECT");
    const location = read(env, "GOOGLE_CLOUD_LOCATION");
    if (project !== undefined && !PROJECT_ID.test(project)) {
      problems.push("GOOGLE_CLOUD_PROJECT must be a Google Cloud project ID, such as my-project-123.");
    }
    if (location !== undefined && !LOCATION.test(location)) {
      problems.push("GOOGLE_CLOUD_LOCATION must be a Google Cloud location, such as us-central1 or global.");
    }
    if (project !== undefined && location !== undefined) {
      // As in the SDK, project and location win over a key: credentials come from ADC.
      settings = { backend: "vertex-ai", project, location, ...optional };
    } else if (project !== undefined || location !== undefined) {
      const missing = project === undefined ? "GOOGLE_CLOUD_PROJECT" : "GOOGLE_CLOUD_LOCATION";
      problems.push(
        `GOOGLE_GENAI_USE_VERTEXAI is true but ${missing} is not set: Vertex AI needs both GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (or neither, with an API key for express mode).`,
      );
    } else if (apiKey !== undefined) {
      settings = { backend: "vertex-ai", apiKey, ...optional };
    } else {
      problems.push("GOOGLE_GENAI_USE_VERTEXAI is true but neither GOOGLE_CLOUD_PROJECT with GOOGLE_CLOUD_LOCATION nor an API key (GOOGLE_API_KEY) is set.");
    }
  } else if (apiKey !== undefined) {
    settings = { backend: "gemini-api", apiKey, ...optional };
  }

  return problems.length > 0 ? { problems } : { ...(settings ? { settings } : {}), problems };
}
