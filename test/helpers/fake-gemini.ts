import type { Content, Part, Tool, ToolConfig } from "@google/genai";
import nock from "nock";

/**
 * Gemini's REST API, scripted with nock: each `generateContent` POST takes the next step of the
 * script and gets a realistic answer (a GenerateContentResponse, or a Google API error). Every
 * request body is recorded for assertions. Requests with no step left, to another model or to an
 * unexpected path are answered with a non-retryable 400 and make `assertDone()` fail.
 *
 * Paths matched, below `baseUrl`:
 *   Gemini API          /{version}/models/{model}:generateContent                  (v1beta, as the client pins it)
 *   Vertex AI express   /{version}/publishers/google/models/{model}:generateContent  (v1beta1)
 *   Vertex AI (project) /{version}/projects/{p}/locations/{l}/publishers/google/models/{model}:generateContent
 */

/** A request body as the SDK sends it (REST JSON, camelCase). */
export interface GeminiRequestBody {
  contents: Content[];
  systemInstruction?: Content;
  tools?: Tool[];
  toolConfig?: ToolConfig;
  generationConfig?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One HTTP exchange: where the request went and how it was answered. */
export interface GeminiExchange {
  url: string;
  /** The API version segment of the path: v1, v1beta, v1beta1… */
  apiVersion: string | undefined;
  model: string | undefined;
  /** Vertex AI project and location, when the path names them. */
  project?: string;
  location?: string;
  headers: Record<string, string>;
  body: GeminiRequestBody;
  status: number;
}

export interface FakeFunctionCall {
  name: string;
  args?: Record<string, unknown>;
  id?: string;
}

interface ReplyOptions {
  /** Answer after this long (the request may time out first). */
  delayMs?: number;
  /** Default "STOP". */
  finishReason?: string;
  /** Token counts to report instead of the ones derived from sizes. */
  usage?: { prompt?: number; candidates?: number; thoughts?: number };
}

export type FakeGeminiStep =
  | (ReplyOptions & { call: FakeFunctionCall; text?: string })
  | (ReplyOptions & { calls: FakeFunctionCall[]; text?: string })
  | (ReplyOptions & { text: string })
  /** Any parts, as the model would return them (thought parts, thoughtSignature…). */
  | (ReplyOptions & { parts: Part[] })
  /** An HTTP error; without a body, a Google-style error body for the status. */
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** A whole response body as given, e.g. one without candidates. */
  | { response: unknown; headers?: Record<string, string>; delayMs?: number }
  /** The connection fails before an answer (fetch rejects), e.g. "ECONNRESET". */
  | { networkError: string; delayMs?: number }
  | ((request: GeminiRequestBody, exchange: GeminiExchange) => FakeGeminiStep);

export interface FakeGeminiOptions {
  /** Only this model is served; requests for others are answered 404 and reported. */
  model?: string;
  /** Default https://generativelanguage.googleapis.com; a gateway's URL, or https://aiplatform.googleapis.com for Vertex AI. */
  baseUrl?: string;
}

const GOOGLE_STATUS: Record<number, [string, string]> = {
  400: ["INVALID_ARGUMENT", "Request contains an invalid argument."],
  401: ["UNAUTHENTICATED", "Request had invalid authentication credentials."],
  403: ["PERMISSION_DENIED", "The caller does not have permission."],
  404: ["NOT_FOUND", "Requested entity was not found."],
  408: ["DEADLINE_EXCEEDED", "Request timed out."],
  429: ["RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."],
  500: ["INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"],
  502: ["UNAVAILABLE", "Bad gateway."],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  504: ["DEADLINE_EXCEEDED", "Deadline expired before operation could complete."],
};

/** A Google API error body: `{"error": {"code", "message", "status", "details"}}`. */
export function googleError(code: number, options: { message?: string; status?: string; details?: unknown[] } = {}): { error: Record<string, unknown> } {
  const [status, message] = GOOGLE_STATUS[code] ?? ["UNKNOWN", `HTTP ${code}`];
  return {
    error: { code, message: options.message ?? message, status: options.status ?? status, ...(options.details ? { details: options.details } : {}) },
  };
}

/** A 429 body with a `google.rpc.RetryInfo` detail, as the Gemini API sends on rate limits. */
export function rateLimitError(retryDelay: string): { error: Record<string, unknown> } {
  return googleError(429, {
    message: "You exceeded your current quota, please check your plan and billing details.",
    details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }],
  });
}

const tokens = (value: unknown): number => Math.ceil(JSON.stringify(value ?? null).length / 4);

const GENERATE_PATH = /^\/(v\d[a-z0-9]*)\/(?:projects\/([^/]+)\/locations\/([^/]+)\/)?(?:publishers\/([^/]+)\/)?models\/([^/:]+):generateContent$/;

export class FakeGemini {
  /** Every parsed request body, in order. */
  readonly requests: GeminiRequestBody[] = [];
  /** Every exchange, with URL, headers and the status answered. */
  readonly exchanges: GeminiExchange[] = [];
  private readonly problems: string[] = [];
  private readonly steps: FakeGeminiStep[] = [];
  private readonly interceptor: nock.Interceptor;
  private readonly prefix: string;
  private readonly model: string | undefined;

  constructor(options: FakeGeminiOptions = {}) {
    const base = new URL(options.baseUrl ?? "https://generativelanguage.googleapis.com");
    this.prefix = base.pathname.replace(/\/+$/, "");
    this.model = options.model?.replace(/^models\//, "");
    this.interceptor = nock(base.origin)
      .persist()
      .intercept(() => true, "POST");
    // nock 15 hands a one-argument reply function the fetch Request itself.
    this.interceptor.reply(async (request: Request) => this.answer(request));
  }

  /** Appends steps to the script; each request consumes one, in order. */
  reply(...steps: FakeGeminiStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  /** Steps not yet consumed. */
  get remaining(): number {
    return this.steps.length;
  }

  /** Throws when steps are left, or when a request came that the script did not expect. */
  assertDone(): void {
    const problems = [...this.problems];
    if (this.steps.length > 0) problems.push(`${this.steps.length} scripted step(s) were never requested`);
    if (problems.length > 0) throw new Error(`fakeGemini:\n- ${problems.join("\n- ")}`);
  }

  /** Removes the interceptor (the test setup also clears all of nock after each test). */
  stop(): void {
    nock.removeInterceptor(this.interceptor);
  }

  private async answer(request: Request): Promise<nock.ReplyFnResult> {
    const url = new URL(request.url);
    const text = await request.text();
    let body: GeminiRequestBody;
    try {
      body = JSON.parse(text) as GeminiRequestBody;
    } catch {
      body = { contents: [] };
      this.problems.push(`request ${url.pathname} had a body that is not JSON`);
    }
    const below = url.pathname.startsWith(this.prefix) ? url.pathname.slice(this.prefix.length) : undefined;
    const match = below === undefined ? null : GENERATE_PATH.exec(below);
    const exchange: GeminiExchange = {
      url: request.url,
      apiVersion: match?.[1],
      model: match?.[5],
      ...(match?.[2] ? { project: match[2] } : {}),
      ...(match?.[3] ? { location: match[3] } : {}),
      headers: Object.fromEntries(request.headers.entries()),
      body,
      status: 0,
    };
    this.exchanges.push(exchange);
    this.requests.push(body);

    const fail = (status: number, problem: string, statusName: string): nock.ReplyFnResult => {
      this.problems.push(problem);
      exchange.status = status;
      return [
        status,
        JSON.stringify(googleError(status, { message: `fakeGemini: ${problem}`, status: statusName })),
        { "content-type": "application/json; charset=UTF-8" },
      ];
    };
    if (!match) return fail(404, `unexpected POST ${url.pathname}`, "NOT_FOUND");
    if (this.model !== undefined && match[5] !== this.model) {
      return fail(404, `request for model ${match[5]}, but only ${this.model} is served`, "NOT_FOUND");
    }

    let step = this.steps.shift();
    if (step === undefined) return fail(400, `request #${this.requests.length} came with no step left in the script`, "FAILED_PRECONDITION");
    while (typeof step === "function") step = step(body, exchange);

    if (step.delayMs) await delay(step.delayMs, request.signal);

    if ("networkError" in step) {
      exchange.status = -1;
      throw Object.assign(new Error(`fakeGemini: ${step.networkError}`), { code: step.networkError });
    }
    const json = { "content-type": "application/json; charset=UTF-8" };
    if ("status" in step) {
      exchange.status = step.status;
      const errorBody = step.body ?? googleError(step.status);
      const payload = typeof errorBody === "string" ? errorBody : JSON.stringify(errorBody);
      return [step.status, payload, { ...(typeof errorBody === "string" ? { "content-type": "text/plain" } : json), ...step.headers }];
    }
    if ("response" in step) {
      exchange.status = 200;
      return [200, JSON.stringify(step.response), { ...json, ...step.headers }];
    }
    exchange.status = 200;
    return [200, JSON.stringify(this.generateResponse(step, body, exchange.model ?? "")), json];
  }

  private generateResponse(
    step: ReplyOptions & { call?: FakeFunctionCall; calls?: FakeFunctionCall[]; text?: string; parts?: Part[] },
    body: GeminiRequestBody,
    model: string,
  ) {
    const calls = step.calls ?? (step.call ? [step.call] : []);
    const parts: Part[] = step.parts ?? [
      ...(step.text !== undefined ? [{ text: step.text }] : []),
      ...calls.map((call) => ({ functionCall: { ...(call.id !== undefined ? { id: call.id } : {}), name: call.name, args: call.args ?? {} } })),
    ];
    const prompt = step.usage?.prompt ?? tokens(body);
    const candidates = step.usage?.candidates ?? tokens(parts);
    const thoughts = step.usage?.thoughts;
    return {
      candidates: [{ content: { role: "model", parts }, finishReason: step.finishReason ?? "STOP", index: 0 }],
      usageMetadata: {
        promptTokenCount: prompt,
        candidatesTokenCount: candidates,
        ...(thoughts !== undefined ? { thoughtsTokenCount: thoughts } : {}),
        totalTokenCount: prompt + candidates + (thoughts ?? 0),
        promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
      },
      modelVersion: model,
      responseId: `fake-${this.requests.length}`,
    };
  }
}

/** Waits `ms`, or less when the client gives up on the request. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** A scripted Gemini: `fakeGemini().reply({ call: { name, args } }, { text: "done" })`. */
export function fakeGemini(options: FakeGeminiOptions = {}): FakeGemini {
  return new FakeGemini(options);
}
