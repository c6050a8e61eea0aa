import nock from "nock";
import { answerGraphQL, type FakeGraphQLState, type FakeRepository } from "./fake-github-graphql.js";
import { openApi, withoutNullEnumFalsePositives, type SpecName } from "./github-openapi.js";

/**
 * GitHub's REST API, faked at the HTTP level with nock: tests say which calls they expect and
 * what GitHub answers. Every request the app sends and every answer a test gives is checked
 * against GitHub's OpenAPI description; unexpected requests, unused expectations and schema
 * violations all fail `assertDone()`.
 */

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Why GitHub sends this status although its description does not list it for the operation. */
  undocumented?: string;
  /**
   * A raw body (`application/vnd.github.raw`), for requests that ask for the raw media type; it
   * replaces the JSON body and is not checked against the JSON schema.
   */
  raw?: string;
  /** The answer is sent only once this settles: a request the test holds "in flight". */
  wait?: Promise<unknown>;
}

export interface RecordedRequest {
  method: string;
  /** Path below the API root (without /api/v3 on GitHub Enterprise Server), without query. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  operationId: string | undefined;
  /** The full URL requested, for host checks. */
  url: string;
  /** Set when a "refused" fault answered it: GitHub did nothing with it. */
  refused?: true;
}

interface Expectation {
  method: string;
  path: string | RegExp;
  reply: FakeReply | ((request: RecordedRequest) => FakeReply);
  times: number;
  used: number;
  /** Need not be used: a request the app makes only sometimes (the patches, when there are findings). */
  optional?: boolean;
}

const matches = (rule: { method: string; path: string | RegExp }, method: string, path: string) =>
  rule.method === method && (typeof rule.path === "string" ? rule.path === path : rule.path.test(path));

const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;

/**
 * A fault GitHub injects on requests matching `method` and `path`:
 * - `"lost-answer"`: the request is carried out (its expectation takes it, so whatever the test
 *   stores is stored) but the answer is replaced by `reply`: GitHub stored a review, then its
 *   front end answered 502. For the first `times` matching requests. With `until`, the answer
 *   waits for it: GitHub stored the write while its sender's process was killed.
 * - `"refused"`: the request is answered `reply` before any expectation sees it (nothing is done),
 *   while `active()` holds: a rate limit that lifts when the test's clock passes a time.
 * - `"held"`: the first `times` matching requests get no answer until `until` settles (then a 502),
 *   and GitHub does nothing with them: the request in flight when the process was killed.
 */
type Fault =
  | { type: "lost-answer"; method: string; path: string | RegExp; reply: FakeReply; times: number; used: number; until?: Promise<unknown> }
  | { type: "refused"; method: string; path: string | RegExp; reply: (request: RecordedRequest) => FakeReply; active: () => boolean; used: number }
  | { type: "held"; method: string; path: string | RegExp; until: Promise<unknown>; times: number; used: number };

/** GitHub's answer when its front end fails (what a lost answer looks like). */
export const BAD_GATEWAY: FakeReply = {
  status: 502,
  body: { message: "Server Error", documentation_url: "https://docs.github.com/rest" },
  undocumented: "GitHub answers 502 when it is overloaded",
};

/** A secondary rate limit that lifts at `until` on `clock`: 403 with Retry-After in whole seconds. */
export function secondaryRateLimitUntil(clock: { now(): number }, until: number): () => FakeReply {
  return () => ({
    status: 403,
    body: {
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      documentation_url: "https://docs.github.com/rest",
    },
    headers: { "retry-after": String(Math.max(1, Math.ceil((until - clock.now()) / 1000))) },
    undocumented: "GitHub answers 403 to any request over a secondary rate limit",
  });
}

/** The operation id the fake gives GraphQL requests (GitHub's OpenAPI description has none for them). */
export const GRAPHQL_OPERATION = "graphql";

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /**
   * What GitHub's GraphQL API answers from: repositories, their files, pull requests. Every GraphQL
   * request is validated against GitHub's schema and executed over this state
   * (./fake-github-graphql.ts), unless a test scripted `POST /graphql` itself (a fault).
   */
  readonly graphqlState: FakeGraphQLState = { repositories: new Map(), viewer: { login: "data-engineer", bot: true } };
  readonly problems: string[] = [];
  private readonly expectations: Expectation[] = [];
  private readonly faults: Fault[] = [];
  private readonly interceptors: nock.Interceptor[] = [];
  private readonly origin: string;
  private readonly prefix: string;
  private readonly description;

  constructor(options: { baseUrl?: string; spec?: SpecName } = {}) {
    const base = new URL(options.baseUrl ?? "https://api.github.com");
    this.origin = base.origin;
    this.prefix = base.pathname.replace(/\/$/, "");
    this.description = openApi(options.spec ?? "api.github.com");
    const scope = nock(this.origin).persist();
    for (const method of METHODS) {
      // nock 15 hands the reply function the fetch Request itself.
      const interceptor = scope.intercept(() => true, method);
      this.interceptors.push(interceptor);
      interceptor.reply(async (request: Request) => {
        const text = await request.text();
        const reply = this.handle(method, request.url, text, Object.fromEntries(request.headers.entries()));
        if (reply.wait) await reply.wait;
        if (reply.raw !== undefined) return [reply.status, reply.raw, { "content-type": "application/vnd.github.raw", ...reply.headers }];
        const body = reply.body === undefined ? "" : JSON.stringify(reply.body);
        return [reply.status, body, { "content-type": "application/json; charset=utf-8", ...reply.headers }];
      });
    }
  }

  /** Expects `times` (default 1) requests of `method` to `path` and answers them with `reply`. */
  on(method: (typeof METHODS)[number], path: string | RegExp, reply: FakeReply | ((request: RecordedRequest) => FakeReply), times = 1): this {
    this.expectations.push({ method, path, reply, times, used: 0 });
    return this;
  }

  /** Like `on`, but the app need not make these requests (at most `times` are answered). */
  mayReceive(method: (typeof METHODS)[number], path: string | RegExp, reply: FakeReply | ((request: RecordedRequest) => FakeReply), times = 1): this {
    this.expectations.push({ method, path, reply, times, used: 0, optional: true });
    return this;
  }

  /** Ends the `mayReceive` expectations: requests a phase the test has seen end may no longer make. */
  endOptional(): this {
    for (const expectation of this.expectations) if (expectation.optional) expectation.times = expectation.used;
    return this;
  }

  /**
   * The first `times` requests to `method path` are carried out as expected, but answered `reply`
   * (a 502 by default): GitHub did the write and the answer was lost.
   */
  loseAnswer(method: (typeof METHODS)[number], path: string | RegExp, reply: FakeReply = BAD_GATEWAY, times = 1, until?: Promise<unknown>): this {
    this.faults.push({ type: "lost-answer", method, path, reply, times, used: 0, ...(until ? { until } : {}) });
    return this;
  }

  /** Requests to `method path` are refused with `reply` (nothing done, no expectation used) while `active()` holds. */
  refuseWhile(method: (typeof METHODS)[number], path: string | RegExp, active: () => boolean, reply: (request: RecordedRequest) => FakeReply): this {
    this.faults.push({ type: "refused", method, path, reply, active, used: 0 });
    return this;
  }

  /**
   * The first `times` requests to `method path` hang until `until` settles and are never carried
   * out (recorded as refused): what a process killed while waiting for them leaves behind.
   */
  holdAnswer(method: (typeof METHODS)[number], path: string | RegExp, until: Promise<unknown>, times = 1): this {
    this.faults.push({ type: "held", method, path, until, times, used: 0 });
    return this;
  }

  /** How many requests each kind of fault answered. */
  faultsAnswered(): { lostAnswers: number; refused: number; held: number } {
    const sum = (type: Fault["type"]) => this.faults.filter((f) => f.type === type).reduce((n, f) => n + f.used, 0);
    return { lostAnswers: sum("lost-answer"), refused: sum("refused"), held: sum("held") };
  }

  /** The installation access token Probot asks for before acting on an event. */
  installationToken(installationId: number): this {
    const body = this.example("POST", "/app/installations/{installation_id}/access_tokens", 201) as Record<string, unknown>;
    return this.on("POST", `/app/installations/${installationId}/access_tokens`, {
      status: 201,
      body: { ...body, token: "ghs_test-installation-token" },
    });
  }

  /** GitHub's documented example response, to build realistic answers from. */
  example(method: string, template: string, status: number): unknown {
    return this.description.example(method, template, status);
  }

  /** The repository `owner/name` in the GraphQL state, created empty when new. */
  repository(owner: string, name: string): FakeRepository {
    const key = `${owner}/${name}`;
    let repository = this.graphqlState.repositories.get(key);
    if (!repository) {
      repository = { defaultBranch: {}, commits: {}, pullRequests: {} };
      this.graphqlState.repositories.set(key, repository);
    }
    return repository;
  }

  /**
   * The calls the app made to GitHub's API: every request but the installation token's (Probot
   * asks for one per installation and caches it for an hour, so it is not a cost of one review)
   * and those a "refused" fault answered (GitHub did nothing with them).
   */
  apiCalls(): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId !== "apps/create-installation-access-token" && !r.refused);
  }

  /** The requests made to one operation, e.g. "checks/create" (GraphQL requests: GRAPHQL_OPERATION). */
  requestsTo(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** Stops answering (another fake can then serve the same host). */
  stop(): void {
    for (const interceptor of this.interceptors) nock.removeInterceptor(interceptor);
  }

  /** Whether every expectation has been used (or a problem was seen): the app did what the test expects, or went wrong. */
  settled(): boolean {
    return this.problems.length > 0 || this.expectations.every((e) => e.optional || e.used >= e.times);
  }

  /** Fails with every problem seen: schema violations, unexpected requests, expectations not met. */
  assertDone(): void {
    const pending = this.expectations
      .filter((e) => !e.optional && e.used < e.times)
      .map((e) => `expected ${e.times - e.used} more ${e.method} ${String(e.path)}`);
    const all = [...this.problems, ...pending];
    if (all.length > 0) throw new Error(`Fake GitHub:\n  - ${all.join("\n  - ")}`);
  }

  /**
   * Waits until every expectation was used (the app works in the background now: webhooks only
   * queue jobs), then a little longer to catch requests nobody expected; then `assertDone()`.
   */
  async waitUntilDone(timeoutMs = 10_000, settleMs = 100): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.expectations.some((e) => !e.optional && e.used < e.times) && this.problems.length === 0) {
      if (performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    this.assertDone();
  }

  private handle(method: string, uri: string, rawBody: unknown, headers: RecordedRequest["headers"]): FakeReply {
    const url = new URL(uri, this.origin);
    const path = url.pathname.startsWith(`${this.prefix}/`) ? url.pathname.slice(this.prefix.length) : url.pathname;
    const body = parseBody(rawBody);
    // GraphQL's endpoint sits beside the REST root: /graphql, or /api/graphql on GitHub Enterprise Server.
    const graphqlPath = this.prefix ? this.prefix.replace(/\/v3$/, "/graphql") : "/graphql";
    if (method === "POST" && url.pathname === graphqlPath) return this.handleGraphQL(url, body, headers);
    if (this.prefix && !url.pathname.startsWith(`${this.prefix}/`)) {
      this.problems.push(`${method} ${url.pathname}: outside the API root ${this.prefix}`);
    }
    const operation = this.description.find(method, path);
    const request: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      headers,
      operationId: operation?.operation.operationId,
      url: url.toString(),
    };
    this.requests.push(request);
    if (!operation) {
      this.problems.push(`${method} ${path}: not an operation in GitHub's OpenAPI description (${this.description.name})`);
    } else {
      this.problems.push(...withoutNullEnumFalsePositives(this.description.validateRequest(operation, url.searchParams, body), body));
    }

    const refusal = this.faults.find((f) => f.type === "refused" && matches(f, method, path) && f.active());
    if (refusal?.type === "refused") {
      refusal.used++;
      request.refused = true;
      return this.checked(operation, refusal.reply(request));
    }
    const held = this.faults.find((f) => f.type === "held" && f.used < f.times && matches(f, method, path));
    if (held?.type === "held") {
      held.used++;
      request.refused = true;
      return { ...BAD_GATEWAY, wait: held.until };
    }
    const expectation = this.expectations.find((e) => e.used < e.times && matches(e, method, path));
    if (!expectation) {
      this.problems.push(`unexpected request ${method} ${path}${url.search}`);
      return { status: 501, body: { message: "Not mocked by the test", documentation_url: "https://docs.github.com/rest" } };
    }
    expectation.used++;
    const done = typeof expectation.reply === "function" ? expectation.reply(request) : expectation.reply;
    const lost = this.faults.find((f) => f.type === "lost-answer" && f.used < f.times && matches(f, method, path));
    if (lost?.type === "lost-answer") {
      this.checked(operation, done);
      lost.used++;
      const reply = this.checked(operation, lost.reply);
      return lost.until ? { ...reply, wait: lost.until } : reply;
    }
    return this.checked(operation, done, headers, method, path);
  }

  private handleGraphQL(url: URL, body: unknown, headers: RecordedRequest["headers"]): FakeReply {
    const path = "/graphql";
    const request: RecordedRequest = { method: "POST", path, query: url.searchParams, body, headers, operationId: GRAPHQL_OPERATION, url: url.toString() };
    this.requests.push(request);
    const refusal = this.faults.find((f) => f.type === "refused" && matches(f, "POST", path) && f.active());
    if (refusal?.type === "refused") {
      refusal.used++;
      request.refused = true;
      return refusal.reply(request);
    }
    // The query is checked against GitHub's schema whoever answers it.
    const answer = answerGraphQL(this.graphqlState, body);
    this.problems.push(...answer.problems);
    const expectation = this.expectations.find((e) => e.used < e.times && matches(e, "POST", path));
    if (expectation) {
      expectation.used++;
      return typeof expectation.reply === "function" ? expectation.reply(request) : expectation.reply;
    }
    const lost = this.faults.find((f) => f.type === "lost-answer" && f.used < f.times && matches(f, "POST", path));
    if (lost?.type === "lost-answer") {
      lost.used++;
      return lost.reply;
    }
    return { status: 200, body: answer.body };
  }

  /** Checks an answer against the operation's description; `headers` etc. for a raw answer's media type. */
  private checked(
    operation: ReturnType<FakeGitHub["description"]["find"]>,
    reply: FakeReply,
    headers?: RecordedRequest["headers"],
    method?: string,
    path?: string,
  ): FakeReply {
    if (reply.raw !== undefined) {
      if (headers && !String(headers.accept ?? "").includes(".raw"))
        this.problems.push(`${method} ${path}: a raw answer to a request that did not ask for the raw media type`);
    } else if (operation) {
      this.problems.push(
        ...withoutNullEnumFalsePositives(this.description.validateResponse(operation, reply.status, reply.body, reply.undocumented), reply.body),
      );
    }
    return reply;
  }
}

function parseBody(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
