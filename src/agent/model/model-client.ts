import type * as GenAi from "@google/genai";
import type {
  ApiError,
  Content,
  FunctionDeclaration,
  GenerateContentConfig,
  GenerateContentResponse,
  GoogleGenAI,
  GoogleGenAIOptions,
  HttpOptions,
  ThinkingLevel,
} from "@google/genai";
import type { Logger } from "pino";
import { AppError, EnvironmentError, ModelBehaviorError, UserInputError, errorMessage } from "../../errors.js";
import type { ModelSettings } from "./model-settings.js";
import type { ThinkingLevelName } from "./sampling.js";

import { DEFAULT_RETRY_POLICY, isRetryableStatus, retryAfterHeaderMs, retryInfoDelayMs, withRetries, type GiveUpReason, type RetryVerdict } from "./retry.js";

type GenAiModule = typeof GenAi;

/**
 * The SDK (and google-auth-library, ws, gaxios behind it) is loaded on the first request, not when
 * the server starts: a server without a Gemini key never uses it, and loading it cost ~0.1 s of
 * CPU before /readyz (issue 20). One promise, so every client shares the one module.
 */
let genAiModule: Promise<GenAiModule> | undefined;
function loadGenAi(): Promise<GenAiModule> {
  genAiModule ??= import("@google/genai");
  return genAiModule;
}

function thinkingLevel(sdk: GenAiModule, name: ThinkingLevelName): ThinkingLevel {
  const levels: Record<ThinkingLevelName, ThinkingLevel> = {
    minimal: sdk.ThinkingLevel.MINIMAL,
    low: sdk.ThinkingLevel.LOW,
    medium: sdk.ThinkingLevel.MEDIUM,
    high: sdk.ThinkingLevel.HIGH,
  };
  return levels[name];
}

/**
 * The one place that talks to Gemini (the Gemini API or Vertex AI, directly or through a gateway).
 * The agent loop sees a single `generate` call: it sends the conversation and the tools, and gets
 * the model's function calls, text, content and token usage back. Transient failures are retried
 * here, with the server's own delay when it gives one; lasting ones become errors that say what
 * to fix. The API key never appears in a message or a log line.
 */

export interface ModelRequest {
  model: string;
  systemInstruction: string;
  contents: Content[];
  functionDeclarations: FunctionDeclaration[];
  temperature: number;
  /** restrict calls to these names (functionCallingConfig mode ANY) */
  allowedFunctionNames?: string[];
  /** How much the model thinks, for models that take a thinking level (Gemini 3). */
  thinkingLevel?: ThinkingLevelName;
  signal: AbortSignal;
}

export interface ModelReply {
  functionCalls: Array<{ id?: string; name: string; args: Record<string, unknown> }>;
  text: string;
  /** the model's content as returned, to append to history verbatim */
  content: Content;
  usage: { input: number; output: number; total: number };
  finishReason?: string;
}

export interface ModelClient {
  generate(request: ModelRequest): Promise<ModelReply>;
}

export interface GeminiClientOptions {
  log?: Logger;
  /** Waits between attempts; tests inject their own. Aborting the signal ends the wait regardless. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** How long one attempt may take before it is abandoned and retried (default 180 s). */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 180_000;

/**
 * The REST API versions we speak, pinned rather than left to the SDK (whose default for the Gemini
 * API moved to v1 in 3.x) or to GOOGLE_GENAI_API_VERSION: the beta versions serve every model,
 * preview ones included, and every feature the agent uses (function calling with JSON schemas,
 * thought signatures), as gemini-cli relies on.
 */
export const GEMINI_API_VERSION = "v1beta";
export const VERTEX_AI_API_VERSION = "v1beta1";

/** The model service failed or refused in a way retrying did not (or cannot) fix. */
export class ModelApiError extends ModelBehaviorError {
  constructor(
    message: string,
    /** The HTTP status, when the service answered. */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What one attempt saw below the SDK, captured by the fetch we hand it. */
interface AttemptTrace {
  host?: string;
  /** The Retry-After header of a failed response, in ms. */
  retryAfterMs?: number;
  /** What fetch itself threw: the request did not get an answer. */
  transportError?: unknown;
}

/** A Google API error body: `{"error": {"code", "message", "status", "details"}}`. */
interface GoogleErrorBody {
  body: unknown;
  message?: string;
  status?: string;
  reason?: string;
}

const MAX_QUOTED_MESSAGE = 400;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The SDK's ApiError carries the response body, JSON-encoded, as its message. */
function parseErrorBody(error: ApiError): GoogleErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(error.message);
  } catch {
    return { body: undefined, message: error.message };
  }
  const inner = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const details = Array.isArray(inner?.details) ? (inner.details as unknown[]) : [];
  const info = details.find((d): d is Record<string, unknown> => isRecord(d) && typeof d["@type"] === "string" && d["@type"].endsWith("google.rpc.ErrorInfo"));
  return {
    body,
    ...(typeof inner?.message === "string" ? { message: inner.message } : {}),
    ...(typeof inner?.status === "string" ? { status: inner.status } : {}),
    ...(typeof info?.reason === "string" ? { reason: info.reason } : {}),
  };
}

function secondsText(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** fetch's own failures: undici rejects with TypeError("fetch failed") or "terminated" mid-body. */
function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message);
}

function networkCause(error: unknown): string {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (isRecord(cause) || cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const message = (cause as { message?: unknown }).message;
    if (typeof message === "string" && message) return message;
  }
  return errorMessage(error);
}

export function createGeminiClient(settings: ModelSettings, options: GeminiClientOptions = {}): ModelClient {
  const log = options.log;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts) };
  const service = settings.backend === "vertex-ai" ? "Vertex AI" : "Gemini";
  const apiKey = settings.apiKey;

  /** Every message leaves through here: whatever a server or a gateway echoes, the key does not. */
  const clean = (text: string): string => {
    const redacted = apiKey ? text.replaceAll(apiKey, "[redacted]") : text;
    return redacted.length > MAX_QUOTED_MESSAGE ? `${redacted.slice(0, MAX_QUOTED_MESSAGE)}…` : redacted;
  };

  const httpOptions: HttpOptions = { timeout: timeoutMs, ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}) };
  // The backend is always explicit, so that GOOGLE_GENAI_USE_VERTEXAI read by the SDK itself
  // cannot disagree with the settings.
  const sdkOptions: GoogleGenAIOptions =
    settings.backend === "vertex-ai"
      ? {
          vertexai: true,
          ...(settings.project !== undefined
            ? // The project given to the auth library too, so that it does not look it up on a metadata server.
              { project: settings.project, googleAuthOptions: { projectId: settings.project } }
            : {}),
          ...(settings.location !== undefined ? { location: settings.location } : {}),
          ...(apiKey !== undefined ? { apiKey } : {}),
          apiVersion: VERTEX_AI_API_VERSION,
          httpOptions,
        }
      : { vertexai: false, ...(apiKey !== undefined ? { apiKey } : {}), apiVersion: GEMINI_API_VERSION, httpOptions };
  let ai: GoogleGenAI | undefined;

  /** A fetch for one attempt that notes what the SDK does not pass on: Retry-After, transport errors. */
  const tracingFetch =
    (trace: AttemptTrace) =>
    async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      try {
        trace.host = new URL(input instanceof Request ? input.url : input).host;
      } catch {
        // Only used in messages.
      }
      try {
        const response = await globalThis.fetch(input, init);
        if (!response.ok) {
          const retryAfter = retryAfterHeaderMs(response.headers.get("retry-after"));
          if (retryAfter !== undefined) trace.retryAfterMs = retryAfter;
        }
        return response;
      } catch (error) {
        trace.transportError = error;
        throw error;
      }
    };

  function apiErrorVerdict(error: ApiError, trace: AttemptTrace, model: string): RetryVerdict {
    const status = error.status;
    const parsed = parseErrorBody(error);
    const label = `HTTP ${status}${parsed.status ? ` ${parsed.status}` : ""}`;
    const said = parsed.message ? `: ${clean(parsed.message)}` : "";
    const cause = { cause: error };

    if (isRetryableStatus(status)) {
      const serverDelayMs = trace.retryAfterMs ?? retryInfoDelayMs(parsed.body);
      const what = status === 429 ? `${service} is rate-limiting requests (${label})` : `${service} failed (${label})`;
      return {
        retry: true,
        label,
        status,
        ...(serverDelayMs !== undefined ? { serverDelayMs } : {}),
        giveUp: (why: GiveUpReason) =>
          why.kind === "exhausted"
            ? new ModelApiError(`${what}, ${why.attempts} attempt${why.attempts === 1 ? "" : "s"} in a row; giving up${said}`, status, cause)
            : new ModelApiError(
                `${what} and asked to wait ${secondsText(why.delayMs)} before trying again, longer than the ${secondsText(why.maxMs)} we wait; giving up${said}`,
                status,
                cause,
              ),
      };
    }

    const keyProblem = parsed.reason?.startsWith("API_KEY") === true || /api key/i.test(parsed.message ?? "");
    if (apiKey !== undefined && (keyProblem || status === 401)) {
      return {
        retry: false,
        error: new EnvironmentError(`${service} rejected the API key (${label})${said}. Check GEMINI_API_KEY or GOOGLE_API_KEY.`, cause),
      };
    }
    if (status === 401) {
      return {
        retry: false,
        error: new EnvironmentError(`${service} rejected the credentials (${label})${said}. Check the Application Default Credentials.`, cause),
      };
    }
    if (status === 403) {
      const whose = settings.project !== undefined ? ` in project ${settings.project}` : "";
      return {
        retry: false,
        error: new EnvironmentError(`${service} refused access${whose} (${label})${said}`, cause),
      };
    }
    if (status === 404) {
      const check = settings.baseUrl
        ? "Check the model name and GEMINI_BASE_URL."
        : "Check the model name (GEMINI_MODEL, the repository's agent settings or the agent definition).";
      return { retry: false, error: new UserInputError(`${service} has no model "${model}" (${label})${said}. ${check}`, cause) };
    }
    if (status < 500) {
      return { retry: false, error: new ModelApiError(`${service} rejected the request for model "${model}" (${label})${said}`, status, cause) };
    }
    return { retry: false, error: new ModelApiError(`${service} failed (${label})${said}`, status, cause) };
  }

  function judge(sdk: GenAiModule, error: unknown, trace: AttemptTrace, model: string): RetryVerdict {
    if (error instanceof sdk.ApiError) return apiErrorVerdict(error, trace, model);
    const where = trace.host ?? service;
    if (isAbortError(error)) {
      // The caller's signal is not aborted (withRetries checks first): the attempt timed out.
      return {
        retry: true,
        label: "request timeout",
        giveUp: (why) =>
          new ModelApiError(
            why.kind === "exhausted"
              ? `${service} did not answer within ${secondsText(timeoutMs)}, ${why.attempts} attempt${why.attempts === 1 ? "" : "s"} in a row; giving up`
              : `${service} timed out`,
            undefined,
            { cause: error },
          ),
      };
    }
    if (trace.transportError === error || isNetworkError(error)) {
      const why = clean(networkCause(error));
      return {
        retry: true,
        label: `network error (${why})`,
        giveUp: (reason) =>
          new ModelApiError(
            `Could not reach ${service} at ${where} (${why})${reason.kind === "exhausted" ? `, ${reason.attempts} attempt${reason.attempts === 1 ? "" : "s"} in a row` : ""}; giving up`,
            undefined,
            { cause: error },
          ),
      };
    }
    if (error instanceof AppError) return { retry: false, error };
    const message = clean(errorMessage(error));
    if (/default credentials/i.test(message)) {
      return {
        retry: false,
        error: new EnvironmentError(
          `Vertex AI needs Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, a workload identity, or gcloud auth application-default login): ${message}`,
          { cause: error },
        ),
      };
    }
    return { retry: false, error: new ModelApiError(`The ${service} request failed: ${message}`, undefined, { cause: error }) };
  }

  return {
    async generate(request: ModelRequest): Promise<ModelReply> {
      const { model, signal } = request;
      let trace: AttemptTrace = {};
      const withTools = request.functionDeclarations.length > 0;
      const sdk = await loadGenAi();
      const client = (ai ??= new sdk.GoogleGenAI(sdkOptions));
      const response = await withRetries(
        () => {
          trace = {};
          const config: GenerateContentConfig = {
            systemInstruction: request.systemInstruction,
            temperature: request.temperature,
            ...(request.thinkingLevel ? { thinkingConfig: { thinkingLevel: thinkingLevel(sdk, request.thinkingLevel) } } : {}),
            abortSignal: signal,
            httpOptions: { fetch: tracingFetch(trace) },
            ...(withTools
              ? {
                  tools: [{ functionDeclarations: request.functionDeclarations }],
                  toolConfig: {
                    functionCallingConfig: {
                      mode: sdk.FunctionCallingConfigMode.ANY,
                      ...(request.allowedFunctionNames ? { allowedFunctionNames: request.allowedFunctionNames } : {}),
                    },
                  },
                }
              : {}),
          };
          return client.models.generateContent({ model, contents: request.contents, config });
        },
        {
          signal,
          policy,
          ...(options.sleep ? { sleep: options.sleep } : {}),
          judge: (error) => judge(sdk, error, trace, model),
          onRetry: (event) =>
            log?.warn(
              { model, status: event.status, attempt: event.attempt, maxAttempts: event.maxAttempts, delayMs: event.delayMs, serverDelay: event.serverDelay },
              `${service} ${event.label}; retrying in ${secondsText(event.delayMs)}`,
            ),
        },
      );
      return toReply(response);
    },
  };
}

/** The first candidate's calls, text, content and the token usage. */
export function toReply(response: GenerateContentResponse): ModelReply {
  const candidate = response.candidates?.[0];
  const returned = candidate?.content;
  const content: Content = returned ? { ...returned, role: returned.role ?? "model" } : { role: "model", parts: [] };
  const parts = content.parts ?? [];
  const functionCalls: ModelReply["functionCalls"] = [];
  for (const part of parts) {
    const call = part.functionCall;
    if (!call) continue;
    functionCalls.push({ ...(call.id ? { id: call.id } : {}), name: call.name ?? "", args: call.args ?? {} });
  }
  const text = parts
    .filter((part) => typeof part.text === "string" && part.thought !== true)
    .map((part) => part.text)
    .join("");
  const meta = response.usageMetadata;
  const input = meta?.promptTokenCount ?? 0;
  const output = (meta?.candidatesTokenCount ?? 0) + (meta?.thoughtsTokenCount ?? 0);
  const finishReason: string | undefined = candidate?.finishReason ?? response.promptFeedback?.blockReason;
  return {
    functionCalls,
    text,
    content,
    usage: { input, output, total: meta?.totalTokenCount ?? input + output },
    ...(finishReason !== undefined ? { finishReason } : {}),
  };
}
