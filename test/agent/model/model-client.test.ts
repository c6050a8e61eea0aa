import type { FunctionDeclaration } from "@google/genai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import nock from "nock";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ModelApiError, createGeminiClient, type ModelRequest } from "../../../src/agent/model/model-client.js";
import type { ModelSettings } from "../../../src/agent/model/model-settings.js";
import { EnvironmentError, UserInputError } from "../../../src/errors.js";
import { fakeGemini, googleError, rateLimitError, type FakeGemini } from "../../helpers/fake-gemini.js";

const KEY = "AIzaSy-test-secret-key-0123456789";
const MODEL = "gemini-2.5-pro";
const settings: ModelSettings = { backend: "gemini-api", apiKey: KEY, tokenBudget: 400_000 };

const readFile: FunctionDeclaration = {
  name: "read_file",
  description: "Reads a file of the repository.",
  parametersJsonSchema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] },
};

function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: MODEL,
    systemInstruction: "You review database migrations.",
    contents: [{ role: "user", parts: [{ text: "Review db/migrate/001.sql" }] }],
    functionDeclarations: [readFile],
    temperature: 0,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** A sleep that returns at once and remembers how long it was asked to wait. */
function recordingSleep() {
  return vi.fn((_ms: number, _signal: AbortSignal) => Promise.resolve());
}

/** A pino logger whose records the test reads (written synchronously). */
function captureLogs(level: pino.Level) {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level }, sink), records };
}

let gemini: FakeGemini | undefined;
afterEach(() => {
  gemini?.stop();
  gemini = undefined;
});

describe("createGeminiClient against the Gemini API", () => {
  it("sends the conversation and tools, and parses a function call with usage", async () => {
    gemini = fakeGemini({ model: MODEL }).reply({ call: { name: "read_file", args: { file_path: "db/migrate/001.sql" }, id: "call-1" } });
    const client = createGeminiClient(settings);
    const reply = await client.generate(request({ allowedFunctionNames: ["read_file"] }));

    expect(reply.functionCalls).toEqual([{ id: "call-1", name: "read_file", args: { file_path: "db/migrate/001.sql" } }]);
    expect(reply.text).toBe("");
    expect(reply.finishReason).toBe("STOP");
    expect(reply.content).toEqual({ role: "model", parts: [{ functionCall: { id: "call-1", name: "read_file", args: { file_path: "db/migrate/001.sql" } } }] });
    expect(reply.usage.input).toBeGreaterThan(0);
    expect(reply.usage.output).toBeGreaterThan(0);
    expect(reply.usage.total).toBe(reply.usage.input + reply.usage.output);

    gemini.assertDone();
    const [exchange] = gemini.exchanges;
    expect(exchange?.url).toBe(`https://generativelanguage.googleapis.com/v1beta/models/${MODEL}:generateContent`);
    expect(exchange?.headers["x-goog-api-key"]).toBe(KEY);
    const body = gemini.requests[0];
    expect(body?.systemInstruction).toMatchObject({ parts: [{ text: "You review database migrations." }] });
    expect(body?.contents).toEqual([{ role: "user", parts: [{ text: "Review db/migrate/001.sql" }] }]);
    expect(body?.tools).toEqual([{ functionDeclarations: [readFile] }]);
    expect(body?.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["read_file"] } });
    expect(body?.generationConfig).toMatchObject({ temperature: 0 });
  });

  it("returns text without thoughts, and counts thinking tokens as output", async () => {
    gemini = fakeGemini().reply({
      parts: [{ text: "pondering", thought: true }, { text: "Done." }],
      usage: { prompt: 100, candidates: 10, thoughts: 40 },
    });
    const reply = await createGeminiClient(settings).generate(request({ functionDeclarations: [] }));
    expect(reply.text).toBe("Done.");
    expect(reply.functionCalls).toEqual([]);
    expect(reply.usage).toEqual({ input: 100, output: 50, total: 150 });
    expect(gemini.requests[0]?.tools).toBeUndefined();
    expect(gemini.requests[0]?.toolConfig).toBeUndefined();
  });

  it("keeps thought signatures when the reply's content goes back into the history", async () => {
    gemini = fakeGemini().reply(
      { parts: [{ functionCall: { name: "read_file", args: { file_path: "a.sql" } }, thoughtSignature: "c2lnbmF0dXJl" }] },
      { text: "done" },
    );
    const client = createGeminiClient(settings);
    const first = await client.generate(request());
    const contents = [
      ...request().contents,
      first.content,
      { role: "user", parts: [{ functionResponse: { name: "read_file", response: { output: "-- sql" } } }] },
    ];
    await client.generate(request({ contents }));
    expect(gemini.requests[1]?.contents[1]).toEqual({
      role: "model",
      parts: [{ functionCall: { name: "read_file", args: { file_path: "a.sql" } }, thoughtSignature: "c2lnbmF0dXJl" }],
    });
    gemini.assertDone();
  });

  it("passes several calls in order, and a reply without candidates as empty", async () => {
    gemini = fakeGemini().reply(
      {
        calls: [
          { name: "read_file", args: { file_path: "a.sql" } },
          { name: "read_file", args: { file_path: "b.sql" } },
        ],
      },
      { response: { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 } } },
    );
    const client = createGeminiClient(settings);
    const first = await client.generate(request());
    expect(first.functionCalls.map((call) => call.args.file_path)).toEqual(["a.sql", "b.sql"]);
    const second = await client.generate(request());
    expect(second).toEqual({
      functionCalls: [],
      text: "",
      content: { role: "model", parts: [] },
      usage: { input: 12, output: 0, total: 12 },
      finishReason: "SAFETY",
    });
    gemini.assertDone();
  });

  it("retries a 429 after the Retry-After header's delay", async () => {
    gemini = fakeGemini().reply({ status: 429, headers: { "retry-after": "2" } }, { text: "ok" });
    const sleep = recordingSleep();
    const { log, records } = captureLogs("warn");
    const reply = await createGeminiClient(settings, { sleep, log }).generate(request());
    expect(reply.text).toBe("ok");
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(sleep.mock.calls[0]?.[0]).toBe(2000);
    expect(gemini.requests).toHaveLength(2);
    gemini.assertDone();
    expect(records).toEqual([expect.objectContaining({ level: 40, status: 429, delayMs: 2000, serverDelay: true })]);
    const logged = JSON.stringify(records);
    expect(logged).not.toContain(KEY);
    expect(logged).not.toContain("db/migrate/001.sql");
  });

  it("retries a 429 after the RetryInfo delay in the error body", async () => {
    gemini = fakeGemini().reply({ status: 429, body: rateLimitError("3s") }, { text: "ok" });
    const sleep = recordingSleep();
    await createGeminiClient(settings, { sleep }).generate(request());
    expect(sleep.mock.calls.map((call) => call[0])).toEqual([3000]);
    gemini.assertDone();
  });

  it("backs off and retries a 503", async () => {
    gemini = fakeGemini().reply({ status: 503 }, { status: 503 }, { text: "ok" });
    const sleep = recordingSleep();
    const reply = await createGeminiClient(settings, { sleep }).generate(request());
    expect(reply.text).toBe("ok");
    const delays = sleep.mock.calls.map((call) => call[0]);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[1]).toBeGreaterThanOrEqual(1000);
    expect(delays[1]).toBeLessThanOrEqual(2000);
    gemini.assertDone();
  });

  it("gives up after maxAttempts with a readable error", async () => {
    gemini = fakeGemini().reply({ status: 503 }, { status: 503 }, { status: 503 });
    const sleep = recordingSleep();
    const failure = createGeminiClient(settings, { sleep, maxAttempts: 3 }).generate(request());
    await expect(failure).rejects.toBeInstanceOf(ModelApiError);
    await expect(failure).rejects.toThrow("Gemini failed (HTTP 503 UNAVAILABLE), 3 attempts in a row; giving up: The model is overloaded.");
    expect(sleep).toHaveBeenCalledTimes(2);
    gemini.assertDone();
  });

  it("gives up at once when the server asks to wait longer than a minute", async () => {
    gemini = fakeGemini().reply({ status: 429, body: rateLimitError("3600s") });
    const sleep = recordingSleep();
    const failure = createGeminiClient(settings, { sleep }).generate(request());
    await expect(failure).rejects.toThrow(/rate-limiting.*asked to wait 3600 s.*longer than the 60 s we wait; giving up: You exceeded your current quota/);
    expect(sleep).not.toHaveBeenCalled();
    gemini.assertDone();
  });

  it("does not retry a 400, and says what was wrong", async () => {
    gemini = fakeGemini().reply({ status: 400, body: googleError(400, { message: "* GenerateContentRequest.contents: contents is not specified" }) });
    const sleep = recordingSleep();
    const failure = createGeminiClient(settings, { sleep }).generate(request());
    await expect(failure).rejects.toThrow(
      `Gemini rejected the request for model "${MODEL}" (HTTP 400 INVALID_ARGUMENT): * GenerateContentRequest.contents: contents is not specified`,
    );
    expect(sleep).not.toHaveBeenCalled();
    gemini.assertDone();
  });

  it("says the API key was rejected, without echoing it", async () => {
    const body = googleError(400, {
      message: `API key not valid. Please pass a valid API key. (got ${KEY})`,
      details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }],
    });
    gemini = fakeGemini().reply({ status: 400, body }, { status: 403, body: googleError(403, { message: `Permission denied for ${KEY}` }) });
    const client = createGeminiClient(settings, { sleep: recordingSleep() });
    const invalid = await client.generate(request()).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(EnvironmentError);
    expect((invalid as Error).message).toMatch(/^Gemini rejected the API key \(HTTP 400 INVALID_ARGUMENT\): API key not valid\..*Check GEMINI_API_KEY/);
    expect((invalid as Error).message).not.toContain(KEY);
    const denied = await client.generate(request()).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(EnvironmentError);
    expect((denied as Error).message).toContain("Gemini refused access (HTTP 403 PERMISSION_DENIED)");
    expect((denied as Error).message).not.toContain(KEY);
    gemini.assertDone();
  });

  it("names the model that does not exist", async () => {
    gemini = fakeGemini().reply({ status: 404, body: googleError(404, { message: "models/gemini-9 is not found for API version v1beta." }) });
    const failure = createGeminiClient(settings).generate(request({ model: "gemini-9" }));
    await expect(failure).rejects.toBeInstanceOf(UserInputError);
    await expect(failure).rejects.toThrow('Gemini has no model "gemini-9" (HTTP 404 NOT_FOUND): models/gemini-9 is not found');
  });

  it("retries a request that timed out", async () => {
    gemini = fakeGemini().reply({ text: "late", delayMs: 2000 }, { text: "on time" });
    const sleep = recordingSleep();
    const { log, records } = captureLogs("warn");
    const started = Date.now();
    const reply = await createGeminiClient(settings, { sleep, log, requestTimeoutMs: 200 }).generate(request());
    expect(reply.text).toBe("on time");
    expect(Date.now() - started).toBeLessThan(1500);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(records[0]?.msg).toMatch(/^Gemini request timeout; retrying in/);
    gemini.assertDone();
  });

  it("retries a network failure", async () => {
    gemini = fakeGemini().reply({ networkError: "ECONNRESET" }, { text: "ok" });
    const sleep = recordingSleep();
    const reply = await createGeminiClient(settings, { sleep }).generate(request());
    expect(reply.text).toBe("ok");
    expect(sleep).toHaveBeenCalledTimes(1);
    gemini.assertDone();
  });

  it("stops at once when aborted during the backoff", async () => {
    gemini = fakeGemini().reply({ status: 503 });
    const controller = new AbortController();
    const sleep = vi.fn((_ms: number, _signal: AbortSignal) => {
      setTimeout(() => controller.abort(new Error("review cancelled")), 10);
      return new Promise<void>(() => {});
    });
    const started = Date.now();
    await expect(createGeminiClient(settings, { sleep }).generate(request({ signal: controller.signal }))).rejects.toThrow("review cancelled");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(gemini.requests).toHaveLength(1);
    gemini.assertDone();
  });

  it("does not send a request when already aborted", async () => {
    gemini = fakeGemini();
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(createGeminiClient(settings).generate(request({ signal: controller.signal }))).rejects.toThrow("too late");
    expect(gemini.requests).toHaveLength(0);
  });

  it("routes requests through GEMINI_BASE_URL", async () => {
    gemini = fakeGemini({ baseUrl: "https://gateway.example.com/v1/acct/gw/google-ai-studio", model: MODEL }).reply({ text: "via gateway" });
    const client = createGeminiClient({ ...settings, baseUrl: "https://gateway.example.com/v1/acct/gw/google-ai-studio" });
    const reply = await client.generate(request());
    expect(reply.text).toBe("via gateway");
    expect(gemini.exchanges[0]?.url).toBe(`https://gateway.example.com/v1/acct/gw/google-ai-studio/v1beta/models/${MODEL}:generateContent`);
    gemini.assertDone();
  });
});

describe("createGeminiClient against Vertex AI", () => {
  it("uses the express-mode path with an API key", async () => {
    gemini = fakeGemini({ baseUrl: "https://aiplatform.googleapis.com", model: MODEL }).reply({ call: { name: "read_file", args: { file_path: "x.sql" } } });
    const client = createGeminiClient({ backend: "vertex-ai", apiKey: KEY, tokenBudget: 1000 });
    const reply = await client.generate(request());
    expect(reply.functionCalls).toEqual([{ name: "read_file", args: { file_path: "x.sql" } }]);
    expect(gemini.exchanges[0]?.url).toBe(`https://aiplatform.googleapis.com/v1beta1/publishers/google/models/${MODEL}:generateContent`);
    expect(gemini.exchanges[0]?.headers["x-goog-api-key"]).toBe(KEY);
    expect(gemini.requests[0]?.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    gemini.assertDone();
  });

  it("says Vertex AI in its errors", async () => {
    gemini = fakeGemini({ baseUrl: "https://aiplatform.googleapis.com" }).reply({ status: 400, body: googleError(400, { message: "Invalid JSON payload." }) });
    const client = createGeminiClient({ backend: "vertex-ai", apiKey: KEY, tokenBudget: 1000 });
    await expect(client.generate(request())).rejects.toThrow(
      `Vertex AI rejected the request for model "${MODEL}" (HTTP 400 INVALID_ARGUMENT): Invalid JSON payload.`,
    );
  });
});

describe("fakeGemini", () => {
  it("reports requests without a step and steps never requested", async () => {
    gemini = fakeGemini().reply({ text: "one" });
    const client = createGeminiClient(settings);
    await client.generate(request());
    await expect(client.generate(request())).rejects.toThrow(/no step left/);
    expect(() => gemini?.assertDone()).toThrow(/no step left/);

    const other = fakeGemini({ baseUrl: "https://other.example.com" }).reply({ text: "never" });
    expect(() => other.assertDone()).toThrow(/1 scripted step\(s\) were never requested/);
    other.stop();
  });

  it("lets a step depend on the request", async () => {
    gemini = fakeGemini().reply((body) => ({ text: `saw ${body.contents.length} content(s)` }));
    const reply = await createGeminiClient(settings).generate(request());
    expect(reply.text).toBe("saw 1 content(s)");
  });
});

describe("createGeminiClient against Vertex AI with Application Default Credentials", () => {
  it("uses the regional project path and a bearer token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "adc-"));
    const credentials = join(dir, "adc.json");
    writeFileSync(
      credentials,
      JSON.stringify({
        type: "authorized_user",
        client_id: "id.apps.googleusercontent.com",
        client_secret: "s",
        refresh_token: "r",
        universe_domain: "googleapis.com",
      }),
    );
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", credentials);
    const oauth = nock("https://oauth2.googleapis.com").post("/token").reply(200, { access_token: "ya29.test-token", expires_in: 3600, token_type: "Bearer" });
    try {
      gemini = fakeGemini({ baseUrl: "https://europe-west4-aiplatform.googleapis.com", model: MODEL }).reply({ text: "ok" });
      const client = createGeminiClient({ backend: "vertex-ai", project: "my-project", location: "europe-west4", tokenBudget: 1000 });
      expect((await client.generate(request())).text).toBe("ok");
      expect(gemini.exchanges[0]?.url).toBe(
        `https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/my-project/locations/europe-west4/publishers/google/models/${MODEL}:generateContent`,
      );
      expect(gemini.exchanges[0]?.headers.authorization).toBe("Bearer ya29.test-token");
      expect(oauth.isDone()).toBe(true);
      gemini.assertDone();
    } finally {
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
