import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerGraphQL, type FakeChangedFile, type FakeGraphQLState, type FakePullRequest, type FakeRepository } from "./fake-github-graphql.js";
import { openApi, withoutNullEnumFalsePositives, type MatchedOperation, type OpenApiDescription, type SpecName } from "./github-openapi.js";

/**
 * GitHub Enterprise Server's REST API as a real HTTP server on 127.0.0.1, for an app running in
 * another process (`node dist/main.js` with GHE_HOST=127.0.0.1:<port> and GHE_PROTOCOL=http, which
 * makes Probot call http://127.0.0.1:<port>/api/v3). Unlike the nock fake (fake-github.ts) it needs
 * no expectations: it keeps state (installation tokens, pull requests and their files, the head
 * commits' contents, check runs, reviews and review comments) and answers by itself, as GitHub
 * would, enough for the app's review of a pull request.
 *
 * GraphQL requests (POST /api/graphql) are validated against GitHub's published GraphQL schema and
 * executed over the same state (./fake-github-graphql.ts), so a query that GitHub would refuse, or
 * a field this server does not resolve, lands in `problems` too.
 *
 * Every request and every answer is checked against GitHub's OpenAPI description of GHES; whatever
 * is wrong (an undocumented request, a body GitHub would refuse, a route this server does not
 * serve, an answer it gives that GitHub does not document) lands in `problems`, which a test
 * expects to be empty. Faults: `holdRoute` makes requests hang until released (to kill the app
 * mid-review), `failNext` answers with an error status.
 *
 * It imports neither vitest nor nock: the webhook load benchmark (bench/) uses it too.
 */

export const API_ROOT = "/api/v3";
/** GitHub Enterprise Server serves GraphQL beside the REST root, at /api/graphql. */
export const GRAPHQL_PATH = "/api/graphql";
/** The operation id requests to GRAPHQL_PATH get (GitHub's OpenAPI description has none for them). */
export const GRAPHQL_OPERATION = "graphql";
const DEFAULT_SPEC: SpecName = "ghes-3.19";
const DOCS = "https://docs.github.com/enterprise-server@3.19/rest";

/** One request as the server saw it. */
export interface LoopbackRequest {
  method: string;
  /** Path below the API root (without /api/v3), percent-encoded as sent, without the query; GraphQL's is /api/graphql. */
  path: string;
  /** The query string, with its "?" (empty when none). */
  query: string;
  /** When it arrived (epoch milliseconds). */
  time: number;
  operationId: string | undefined;
  /** The status answered; undefined while it is held or being answered, or when the client went away first. */
  status?: number;
  /** Milliseconds from arrival to answer (holds included). */
  durationMs?: number;
  /** The client closed the connection before the answer (e.g. the app was killed while its request was held). */
  abandoned?: boolean;
}

/** A file a pull request changes. */
export interface PullRequestFile {
  path: string;
  /** Its text at the head commit; omit for a removed file. */
  text?: string;
  status?: "added" | "modified" | "removed" | "renamed";
  /** The diff GitHub lists for it; by default every line of `text` added. */
  patch?: string;
  previousPath?: string;
}

/** How a pull request looks. Everything is optional; unset fields keep their value (or the default). */
export interface PullRequestSetup {
  /** The head commit; see {@link defaultHeadSha} for the default. Changing it is a push. */
  headSha?: string;
  headRef?: string;
  baseRef?: string;
  state?: "open" | "closed";
  draft?: boolean;
  title?: string;
  body?: string;
  author?: string;
  labels?: string[];
  /** The files it changes (the listing and the head commit's contents); `[]` for none. */
  files?: readonly PullRequestFile[];
  /** Other files of the head commit that the pull request does not change (path → text). */
  beside?: Record<string, string>;
}

export interface PullRequestState {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  state: "open" | "closed";
  draft: boolean;
  title: string;
  body: string;
  author: string;
  labels: string[];
  files: PullRequestFile[];
  /** Every head the pull request has had, oldest first. */
  heads: string[];
}

export interface CheckRunRecord {
  id: number;
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  details_url: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  annotations: unknown[];
  actions: unknown[];
  app_id: number;
  installation_id: number | undefined;
  /** Updates received (PATCH requests that changed it). */
  updates: number;
}

export interface ReviewCommentInput {
  path: string;
  line?: number;
  start_line?: number;
  side?: string;
  start_side?: string;
  position?: number;
  body: string;
}

export interface ReviewRecord {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  commit_id: string;
  event: string | undefined;
  state: string;
  body: string;
  comments: ReviewCommentInput[];
  submitted_at: string;
}

interface ReviewCommentRecord {
  id: number;
  reviewId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  commitId: string;
  comment: ReviewCommentInput;
  createdAt: string;
}

/** Which requests a fault applies to: all given fields must match (a string path matches exactly). */
export type RouteMatcher = { method?: string; path?: string | RegExp; operationId?: string } | ((request: LoopbackRequest) => boolean);

export interface HeldRoute {
  /** Requests waiting now. */
  readonly waiting: number;
  /** Requests held so far (released, waiting or abandoned). */
  readonly held: number;
  /** Resolves once `count` requests in all have been held. */
  arrived(count?: number, timeoutMs?: number): Promise<void>;
  /** Lets the waiting requests through and stops holding. Requests whose client went away are dropped. */
  release(): void;
}

export interface LoopbackGitHubOptions {
  spec?: SpecName;
  /** The files of a pull request nobody set up (default: {@link DEFAULT_MIGRATION_FILES}). */
  defaultFiles?: readonly PullRequestFile[];
  /** The app's slug: its reviews and comments are by `<slug>[bot]`. */
  appSlug?: string;
}

/** A new index built without CONCURRENTLY (a finding), and its rollback. */
export const DEFAULT_MIGRATION_FILES: readonly PullRequestFile[] = [
  { path: "db/migrations/20260101000000_add_index.up.sql", text: "CREATE INDEX index_users_on_email ON users (email);\n" },
  { path: "db/migrations/20260101000000_add_index.down.sql", text: "DROP INDEX index_users_on_email;\n" },
];

/**
 * The head commit of a pull request nobody set up: derived from its repository and number, so
 * that webhook payloads built for it (app-process.ts) name the head this server serves.
 */
export function defaultHeadSha(owner: string, repo: string, number: number): string {
  return createHash("sha1").update(`${owner}/${repo}#${number}`).digest("hex");
}

/** Git's blob id of a text. */
function blobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** The patch GitHub lists for a file that adds every line of `text`. */
export function addedPatch(text: string): string {
  const lines = text.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((line) => `+${line}`).join("\n")}`;
}

/** Lines of the new file (RIGHT side) a patch shows, which review comments may sit on. */
function rightSideLines(patch: string | undefined): Set<number> {
  const lines = new Set<number>();
  if (!patch) return lines;
  let line = 0;
  let inHunk = false;
  for (const text of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk || text.startsWith("-") || text.startsWith("\\")) continue;
    lines.add(line);
    line++;
  }
  return lines;
}

function countLines(patch: string | undefined, sign: "+" | "-"): number {
  if (!patch) return 0;
  return patch.split("\n").filter((l) => l.startsWith(sign) && !l.startsWith(`${sign}${sign}${sign} `)).length;
}

interface Reply {
  status: number;
  body?: unknown;
  /** A raw (application/vnd.github.raw) answer instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
  /** Why GitHub sends this status although its description does not list it for the operation. */
  undocumented?: string;
}

interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage["headers"];
  auth: { installationId: number; appId: number } | undefined;
  appId: number | undefined;
}

type Handler = (ctx: RouteContext) => Reply;

interface RepoState {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  /** Files of the default branch. */
  files: Map<string, string>;
  /** Files of other commits (over the default branch's; null: removed there). */
  trees: Map<string, Map<string, string | null>>;
  pulls: Map<number, PullRequestState>;
}

interface Hold {
  matcher: RouteMatcher;
  waiting: Array<() => void>;
  held: number;
  released: boolean;
  arrivals: Array<{ count: number; resolve: () => void }>;
}

interface Fault {
  matcher: RouteMatcher;
  status: number;
  left: number;
  body: unknown;
}

const notFound = (message = "Not Found"): Reply => ({ status: 404, body: { message, documentation_url: DOCS, status: "404" } });

function unprocessable(errors: string[], why: string): Reply {
  return { status: 422, body: { message: "Unprocessable Entity", errors, documentation_url: DOCS, status: "422" }, undocumented: why };
}

function matches(matcher: RouteMatcher, request: LoopbackRequest): boolean {
  if (typeof matcher === "function") return matcher(request);
  if (matcher.method && matcher.method.toUpperCase() !== request.method) return false;
  if (matcher.operationId && matcher.operationId !== request.operationId) return false;
  if (matcher.path !== undefined) {
    if (typeof matcher.path === "string" ? matcher.path !== request.path : !matcher.path.test(request.path)) return false;
  }
  return true;
}

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A stable positive id for a name (repository ids of repositories nobody set up). */
function idFor(text: string): number {
  return (createHash("sha1").update(text).digest().readUInt32BE(0) % 1_000_000_000) + 1;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export class LoopbackGitHub {
  readonly requests: LoopbackRequest[] = [];
  readonly problems: string[] = [];
  private readonly description: OpenApiDescription;
  private readonly defaultFiles: readonly PullRequestFile[];
  private readonly appSlug: string;
  private readonly repos = new Map<string, RepoState>();
  private readonly checkRunList: CheckRunRecord[] = [];
  private readonly reviewList: ReviewRecord[] = [];
  private readonly reviewComments: ReviewCommentRecord[] = [];
  private readonly tokens = new Map<string, { installationId: number; appId: number }>();
  private readonly holds: Hold[] = [];
  private readonly faults: Fault[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly operations = new Map<string, MatchedOperation | null>();
  private readonly templateParams = new Map<string, { regex: RegExp; names: string[] }>();
  private readonly handlers: Record<string, Handler>;
  private readonly examples = new Map<string, unknown>();
  private server: Server | undefined;
  private origin = "http://127.0.0.1";
  private nextId = 1;

  constructor(options: LoopbackGitHubOptions = {}) {
    this.description = openApi(options.spec ?? DEFAULT_SPEC);
    this.defaultFiles = options.defaultFiles ?? DEFAULT_MIGRATION_FILES;
    this.appSlug = options.appSlug ?? "data-engineer";
    this.handlers = {
      "apps/create-installation-access-token": (ctx) => this.createToken(ctx),
      "checks/create": (ctx) => this.createCheckRun(ctx),
      "checks/update": (ctx) => this.updateCheckRun(ctx),
      "checks/get": (ctx) => this.getCheckRun(ctx),
      "checks/list-for-ref": (ctx) => this.listCheckRuns(ctx),
      "pulls/get": (ctx) => this.getPull(ctx),
      "pulls/list-files": (ctx) => this.listFiles(ctx),
      "pulls/list-reviews": (ctx) => this.listReviews(ctx),
      "pulls/create-review": (ctx) => this.createReview(ctx),
      "pulls/list-review-comments": (ctx) => this.listReviewComments(ctx),
      "repos/get-content": (ctx) => this.getContent(ctx),
    };
  }

  /** Listens on 127.0.0.1 (a free port). `url` is the API root; `host` is what GHE_HOST takes. */
  async start(): Promise<{ url: string; host: string }> {
    if (this.server) throw new Error("LoopbackGitHub already started");
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        this.problems.push(`loopback GitHub failed on ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ message: "loopback GitHub failed", documentation_url: DOCS }));
      });
    });
    server.keepAliveTimeout = 10_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = `127.0.0.1:${port}`;
    this.origin = `http://${host}`;
    return { url: `${this.origin}${API_ROOT}`, host };
  }

  /** Stops listening and drops every connection (held requests included). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const hold of this.holds) hold.released = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const hold of this.holds) for (const resume of hold.waiting.splice(0)) resume();
    await closed;
  }

  /** The API root, once started. */
  get url(): string {
    return `${this.origin}${API_ROOT}`;
  }

  // ---- set-up -------------------------------------------------------------------------------

  /** Sets up (or changes) a pull request; it is created with the defaults when first named. */
  pullRequest(owner: string, repo: string, number: number, setup: PullRequestSetup = {}): PullRequestState {
    const state = this.pull(owner, repo, number);
    const repoState = this.repo(owner, repo);
    if (setup.headSha !== undefined && setup.headSha !== state.headSha) {
      state.headSha = setup.headSha;
      state.heads.push(setup.headSha);
    }
    if (setup.headRef !== undefined) state.headRef = setup.headRef;
    if (setup.baseRef !== undefined) state.baseRef = setup.baseRef;
    if (setup.state !== undefined) state.state = setup.state;
    if (setup.draft !== undefined) state.draft = setup.draft;
    if (setup.title !== undefined) state.title = setup.title;
    if (setup.body !== undefined) state.body = setup.body;
    if (setup.author !== undefined) state.author = setup.author;
    if (setup.labels !== undefined) state.labels = [...setup.labels];
    if (setup.files !== undefined) state.files = setup.files.map((f) => ({ ...f }));
    if (setup.files !== undefined || setup.headSha !== undefined || setup.beside !== undefined) {
      const tree = new Map<string, string | null>(Object.entries(setup.beside ?? {}));
      for (const file of state.files) {
        tree.set(file.path, file.status === "removed" ? null : (file.text ?? ""));
        if (file.status === "renamed" && file.previousPath) tree.set(file.previousPath, null);
      }
      const previous = repoState.trees.get(state.headSha);
      if (previous && setup.beside === undefined) for (const [path, text] of previous) if (!tree.has(path)) tree.set(path, text);
      repoState.trees.set(state.headSha, tree);
    }
    return state;
  }

  /** Puts a file on the default branch (e.g. `.github/data-engineer.yml`), or at a commit; undefined removes it. */
  setFile(owner: string, repo: string, path: string, text: string | undefined, ref?: string): void {
    const state = this.repo(owner, repo);
    if (ref === undefined || ref === state.defaultBranch) {
      if (text === undefined) state.files.delete(path);
      else state.files.set(path, text);
      return;
    }
    let tree = state.trees.get(ref);
    if (!tree) state.trees.set(ref, (tree = new Map<string, string | null>()));
    tree.set(path, text ?? null);
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Holds every matching request (it gets no answer) until `release()`. */
  holdRoute(matcher: RouteMatcher): HeldRoute {
    const hold: Hold = { matcher, waiting: [], held: 0, released: false, arrivals: [] };
    this.holds.push(hold);
    return {
      get waiting() {
        return hold.waiting.length;
      },
      get held() {
        return hold.held;
      },
      arrived: (count = 1, timeoutMs = 10_000) =>
        hold.held >= count
          ? Promise.resolve()
          : new Promise<void>((resolve, reject) => {
              const timer = setTimeout(
                () => reject(new Error(`no ${count} held request(s) within ${timeoutMs} ms (${hold.held} held)\n${this.summary()}`)),
                timeoutMs,
              );
              hold.arrivals.push({
                count,
                resolve: () => {
                  clearTimeout(timer);
                  resolve();
                },
              });
            }),
      release: () => {
        hold.released = true;
        this.holds.splice(this.holds.indexOf(hold), 1);
        for (const resume of hold.waiting.splice(0)) resume();
      },
    };
  }

  /** Answers the next `times` matching requests with `status` and GitHub's error body. */
  failNext(matcher: RouteMatcher, status: number, times = 1, body?: unknown): void {
    this.faults.push({
      matcher,
      status,
      left: times,
      body: body ?? { message: status >= 500 ? "Server Error" : "Failed", documentation_url: DOCS, status: String(status) },
    });
  }

  // ---- inspection ---------------------------------------------------------------------------

  checkRuns(filter: { owner?: string; repo?: string; head_sha?: string } = {}): CheckRunRecord[] {
    return this.checkRunList.filter(
      (c) =>
        (filter.owner === undefined || c.owner === filter.owner) &&
        (filter.repo === undefined || c.repo === filter.repo) &&
        (filter.head_sha === undefined || c.head_sha === filter.head_sha),
    );
  }

  reviews(pullNumber?: number): ReviewRecord[] {
    return pullNumber === undefined ? [...this.reviewList] : this.reviewList.filter((r) => r.pullNumber === pullNumber);
  }

  /** How many reviews a pull request got (on one head commit, if given). */
  reviewCount(pullNumber: number, headSha?: string): number {
    return this.reviewList.filter((r) => r.pullNumber === pullNumber && (headSha === undefined || r.commit_id === headSha)).length;
  }

  requestsTo(operationId: string): LoopbackRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /**
   * Resolves with the predicate's first truthy value, checked now and after every answered
   * request; rejects after `timeoutMs` with the problems and the last requests.
   */
  waitFor<T>(predicate: (github: LoopbackGitHub) => T | undefined | null | false | 0 | "", timeoutMs = 10_000, what = "condition"): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let value;
        try {
          value = predicate(this);
        } catch (error) {
          done();
          reject(error instanceof Error ? error : new Error(String(error)));
          return true;
        }
        if (!value) return false;
        done();
        resolve(value);
        return true;
      };
      const listener = () => void check();
      const poll = setInterval(listener, 100);
      const timer = setTimeout(() => {
        done();
        reject(new Error(`loopback GitHub: ${what} not reached within ${timeoutMs} ms\n${this.summary()}`));
      }, timeoutMs);
      const done = () => {
        clearInterval(poll);
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      if (!check()) this.listeners.add(listener);
    });
  }

  /** The problems and the last requests, for failure messages. */
  summary(lastRequests = 20): string {
    const problems = this.problems.length > 0 ? this.problems.map((p) => `  - ${p}`).join("\n") : "  (none)";
    const requests = this.requests
      .slice(-lastRequests)
      .map((r) => `  ${r.method} ${r.path}${r.query} → ${r.abandoned ? "abandoned" : (r.status ?? "pending")}`)
      .join("\n");
    return `problems:\n${problems}\nlast requests:\n${requests || "  (none)"}`;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", this.origin);
    const rawBody = await readBody(req);
    const inRoot = url.pathname.startsWith(`${API_ROOT}/`);
    const graphql = method === "POST" && url.pathname === GRAPHQL_PATH;
    const path = inRoot ? url.pathname.slice(API_ROOT.length) : url.pathname;
    const operation = inRoot ? this.find(method, path) : undefined;
    const request: LoopbackRequest = {
      method,
      path,
      query: url.search,
      time: Date.now(),
      operationId: graphql ? GRAPHQL_OPERATION : operation?.operation.operationId,
    };
    this.requests.push(request);
    const where = `${method} ${path}`;
    if (graphql) {
      await this.onGraphQL(req, res, request, rawBody, started);
      return;
    }

    const answer = (reply: Reply) => {
      if (operation) this.checkReply(operation, where, req.headers, reply);
      request.status = reply.status;
      request.durationMs = performance.now() - started;
      send(res, reply);
      this.changed();
    };

    if (!inRoot) {
      this.problems.push(`${method} ${url.pathname}: outside the API root ${API_ROOT}`);
      answer(notFound());
      return;
    }
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        this.problems.push(`${where}: the body is not JSON`);
        answer({
          status: 400,
          body: { message: "Problems parsing JSON", documentation_url: DOCS, status: "400" },
          undocumented: "GitHub's answer to a body that is not JSON",
        });
        return;
      }
    }
    if (!operation) {
      this.problems.push(`unhandled ${where}: not an operation in GitHub's OpenAPI description (${this.description.name})`);
      answer(notFound());
      return;
    }
    this.problems.push(...withoutNullEnumFalsePositives(this.description.validateRequest(operation, url.searchParams, body), body));

    if (!(await this.waitIfHeld(request, res, started))) return;

    const auth = this.authenticate(operation, where, req.headers);
    if (auth.reply) {
      answer(auth.reply);
      return;
    }
    const fault = this.takeFault(request);
    if (fault) {
      answer({ status: fault.status, body: fault.body, undocumented: "a fault the test injected" });
      return;
    }
    const handler = this.handlers[operation.operation.operationId];
    if (!handler) {
      this.problems.push(`unhandled ${where} (${operation.operation.operationId})`);
      answer({ ...notFound(), undocumented: "the loopback GitHub does not serve this operation" });
      return;
    }
    answer(
      handler({
        params: this.params(operation.template, path),
        query: url.searchParams,
        body,
        headers: req.headers,
        auth: auth.installation,
        appId: auth.appId,
      }),
    );
  }

  /**
   * POST /api/graphql: held and failed like any route, authenticated with an installation token,
   * then validated against GitHub's schema and executed over this server's state.
   */
  private async onGraphQL(req: IncomingMessage, res: ServerResponse, request: LoopbackRequest, rawBody: string, started: number): Promise<void> {
    const answer = (reply: Reply) => {
      request.status = reply.status;
      request.durationMs = performance.now() - started;
      send(res, reply);
      this.changed();
    };
    if (!(await this.waitIfHeld(request, res, started))) return;
    const [scheme = "", credential = ""] = (req.headers.authorization ?? "").split(/\s+/, 2);
    const installation = this.tokens.get(credential);
    if (!installation || !["token", "bearer"].includes(scheme.toLowerCase())) {
      this.problems.push(`${GRAPHQL_PATH}: not authenticated with an installation token this server issued`);
      answer({ status: 401, body: { message: "Bad credentials", documentation_url: DOCS } });
      return;
    }
    const fault = this.takeFault(request);
    if (fault) {
      answer({ status: fault.status, body: fault.body });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody) as unknown;
    } catch {
      this.problems.push(`${GRAPHQL_PATH}: the body is not JSON`);
      answer({ status: 400, body: { message: "Problems parsing JSON", documentation_url: DOCS } });
      return;
    }
    const result = answerGraphQL(this.graphqlState(), body);
    this.problems.push(...result.problems);
    answer({ status: 200, body: result.body });
  }

  /**
   * The state as GitHub's GraphQL API sees it, built when a resolver asks: a repository or pull
   * request nobody set up exists with the defaults, as it does for the REST routes.
   */
  private graphqlState(): FakeGraphQLState {
    const viewer = { login: this.appSlug, bot: true };
    const repositories = {
      get: (key: string): FakeRepository | undefined => {
        const slash = key.indexOf("/");
        if (slash < 0) return undefined;
        const repo = this.repo(key.slice(0, slash), key.slice(slash + 1));
        return {
          defaultBranch: Object.fromEntries(repo.files),
          commits: new Proxy(
            {},
            {
              get: (_target, sha) => (typeof sha === "string" && repo.trees.has(sha) ? Object.fromEntries(this.pathsAt(repo, sha)) : undefined),
            },
          ),
          pullRequests: new Proxy(
            {},
            {
              get: (_target, key) => {
                const number = typeof key === "string" ? Number(key) : NaN;
                return Number.isSafeInteger(number) && number > 0 ? this.graphqlPull(this.pull(repo.owner, repo.name, number), viewer) : undefined;
              },
            },
          ),
        };
      },
    } as FakeGraphQLState["repositories"];
    return { repositories, viewer };
  }

  private graphqlPull(pr: PullRequestState, bot: { login: string; bot: boolean }): FakePullRequest {
    const changeType: Record<NonNullable<PullRequestFile["status"]>, FakeChangedFile["changeType"]> = {
      added: "ADDED",
      modified: "MODIFIED",
      removed: "DELETED",
      renamed: "RENAMED",
    };
    return {
      headSha: pr.headSha,
      files: pr.files.map((file) => {
        const patch = this.patchOf(file);
        return { path: file.path, changeType: changeType[file.status ?? "added"], additions: countLines(patch, "+"), deletions: countLines(patch, "-") };
      }),
      reviews: this.reviewList
        .filter((r) => r.owner === pr.owner && r.repo === pr.repo && r.pullNumber === pr.number && r.state !== "PENDING")
        .map((r) => ({
          body: r.body,
          author: bot,
          commitOid: r.commit_id,
          comments: r.comments.map((c) => ({ body: c.body, author: bot })),
        })),
    };
  }

  /** Waits while a hold matches `request`; false when the client went away meanwhile (nothing to answer). */
  private async waitIfHeld(request: LoopbackRequest, res: ServerResponse, started: number): Promise<boolean> {
    const hold = this.holds.find((h) => !h.released && matches(h.matcher, request));
    if (!hold) return true;
    let gone = false;
    res.once("close", () => {
      if (!res.writableEnded) gone = true;
    });
    hold.held++;
    await new Promise<void>((resume) => {
      hold.waiting.push(resume);
      for (const arrival of hold.arrivals.filter((a) => hold.held >= a.count)) {
        hold.arrivals.splice(hold.arrivals.indexOf(arrival), 1);
        arrival.resolve();
      }
    });
    if (gone || res.destroyed) {
      request.abandoned = true;
      request.durationMs = performance.now() - started;
      this.changed();
      return false;
    }
    return true;
  }

  /** The injected fault for `request`, used up once. */
  private takeFault(request: LoopbackRequest): Fault | undefined {
    const fault = this.faults.find((f) => f.left > 0 && matches(f.matcher, request));
    if (!fault) return undefined;
    fault.left--;
    if (fault.left === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private find(method: string, path: string): MatchedOperation | undefined {
    const key = `${method} ${path}`;
    let found = this.operations.get(key);
    if (found === undefined) {
      found = this.description.find(method, path) ?? null;
      if (this.operations.size > 20_000) this.operations.clear();
      this.operations.set(key, found);
    }
    return found ?? undefined;
  }

  private params(template: string, path: string): Record<string, string> {
    let compiled = this.templateParams.get(template);
    if (!compiled) {
      const names: string[] = [];
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          if (!part.startsWith("{")) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          names.push(part.slice(1, -1));
          return part === "{path}" ? "(.+)" : "([^/]+)";
        })
        .join("");
      compiled = { regex: new RegExp(`^${source}$`), names };
      this.templateParams.set(template, compiled);
    }
    const match = compiled.regex.exec(path);
    const params: Record<string, string> = {};
    compiled.names.forEach((name, i) => {
      params[name] = decodeURIComponent(match?.[i + 1] ?? "");
    });
    return params;
  }

  /**
   * The app authenticates as itself (a JWT) for /app routes, and with an installation token this
   * server issued for everything else.
   */
  private authenticate(
    operation: MatchedOperation,
    where: string,
    headers: IncomingMessage["headers"],
  ): { reply?: Reply; installation?: { installationId: number; appId: number }; appId?: number } {
    const [scheme = "", credential = ""] = (headers.authorization ?? "").split(/\s+/, 2);
    const bad: Reply = {
      status: 401,
      body: { message: "Bad credentials", documentation_url: DOCS, status: "401" },
      undocumented: "GitHub's answer to missing or bad credentials",
    };
    if (operation.template.startsWith("/app/") || operation.template === "/app") {
      const claims = scheme.toLowerCase() === "bearer" ? decodeJwtPayload(credential) : undefined;
      if (!claims || claims.iss === undefined) {
        this.problems.push(`${where}: not authenticated as the app (a JWT bearer token is required)`);
        return { reply: bad };
      }
      return { appId: Number(claims.iss) || 0 };
    }
    const installation = this.tokens.get(credential);
    if (!installation || !["token", "bearer"].includes(scheme.toLowerCase())) {
      this.problems.push(`${where}: not authenticated with an installation token this server issued`);
      return { reply: bad };
    }
    return { installation, appId: installation.appId };
  }

  private checkReply(operation: MatchedOperation, where: string, headers: IncomingMessage["headers"], reply: Reply): void {
    if (reply.raw !== undefined) {
      if (!String(headers.accept ?? "").includes(".raw")) this.problems.push(`${where}: a raw answer to a request that did not ask for the raw media type`);
      return;
    }
    this.problems.push(
      ...withoutNullEnumFalsePositives(this.description.validateResponse(operation, reply.status, reply.body, reply.undocumented), reply.body),
    );
  }

  // ---- state --------------------------------------------------------------------------------

  private example<T>(method: string, template: string, status: number): T {
    const key = `${method} ${template} ${status}`;
    let value = this.examples.get(key);
    if (value === undefined) {
      value = this.description.example(method, template, status);
      this.examples.set(key, value);
    }
    return structuredClone(value) as T;
  }

  private repo(owner: string, name: string): RepoState {
    const key = `${owner}/${name}`;
    let state = this.repos.get(key);
    if (!state) {
      state = { owner, name, id: idFor(key), defaultBranch: "main", files: new Map(), trees: new Map(), pulls: new Map() };
      this.repos.set(key, state);
    }
    return state;
  }

  private pull(owner: string, repo: string, number: number): PullRequestState {
    const repoState = this.repo(owner, repo);
    let state = repoState.pulls.get(number);
    if (!state) {
      const headSha = defaultHeadSha(owner, repo, number);
      state = {
        owner,
        repo,
        number,
        headSha,
        headRef: `change-${number}`,
        baseRef: repoState.defaultBranch,
        state: "open",
        draft: false,
        title: `Pull request ${number}`,
        body: "",
        author: "octocat",
        labels: [],
        files: this.defaultFiles.map((f) => ({ ...f })),
        heads: [headSha],
      };
      repoState.pulls.set(number, state);
      if (!repoState.trees.has(headSha)) {
        repoState.trees.set(headSha, new Map(state.files.map((f): [string, string | null] => [f.path, f.status === "removed" ? null : (f.text ?? "")])));
      }
    }
    return state;
  }

  /** The pull request a route names; undefined when the number is not a positive integer. */
  private pullFrom(params: Record<string, string>): PullRequestState | undefined {
    const number = Number(params.pull_number);
    if (!Number.isSafeInteger(number) || number <= 0) return undefined;
    return this.pull(params.owner ?? "", params.repo ?? "", number);
  }

  /** A file's text at a commit (the default branch without a ref); null when absent. */
  private fileAt(repo: RepoState, ref: string | undefined, path: string): string | null {
    if (ref !== undefined && ref !== repo.defaultBranch) {
      const tree = repo.trees.get(ref);
      if (tree?.has(path)) return tree.get(path) ?? null;
    }
    return repo.files.get(path) ?? null;
  }

  private knownRef(repo: RepoState, ref: string | undefined): boolean {
    if (ref === undefined || ref === repo.defaultBranch || repo.trees.has(ref)) return true;
    for (const pr of repo.pulls.values()) if (pr.headRef === ref) return true;
    return false;
  }

  /** Every path of a commit (default branch files under it). */
  private pathsAt(repo: RepoState, ref: string | undefined): Map<string, string> {
    const all = new Map(repo.files);
    if (ref !== undefined && ref !== repo.defaultBranch) {
      for (const [path, text] of repo.trees.get(ref) ?? []) {
        if (text === null) all.delete(path);
        else all.set(path, text);
      }
    }
    return all;
  }

  private apiUrl(path: string): string {
    return `${this.origin}${API_ROOT}${path}`;
  }

  /** One page of a list, and GitHub's Link header to the next and last pages. */
  private page<T>(items: readonly T[], query: URLSearchParams, path: string): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page")) || 30));
    const page = Math.max(1, Number(query.get("page")) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    if (last > 1) {
      const link = (n: number, rel: string) => {
        const q = new URLSearchParams(query);
        q.set("per_page", String(perPage));
        q.set("page", String(n));
        return `<${this.apiUrl(path)}?${q.toString()}>; rel="${rel}"`;
      };
      const links = [];
      if (page > 1) links.push(link(page - 1, "prev"));
      if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
      if (page > 1) links.push(link(1, "first"));
      headers.link = links.join(", ");
    }
    return { items: items.slice((page - 1) * perPage, page * perPage), headers };
  }

  // ---- routes -------------------------------------------------------------------------------

  private createToken(ctx: RouteContext): Reply {
    const installationId = Number(ctx.params.installation_id);
    const token = `ghs_loopback${String(this.nextId++).padStart(8, "0")}i${installationId}`;
    this.tokens.set(token, { installationId, appId: ctx.appId ?? 0 });
    const example = this.example<Record<string, unknown>>("POST", "/app/installations/{installation_id}/access_tokens", 201);
    const body: Record<string, unknown> = {
      ...example,
      token,
      expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      repository_selection: "all",
    };
    delete body.repositories;
    return { status: 201, body };
  }

  private checkRunBody(run: CheckRunRecord): unknown {
    const example = this.example<Record<string, unknown> & { app: Record<string, unknown> }>("POST", "/repos/{owner}/{repo}/check-runs", 201);
    const path = `/repos/${run.owner}/${run.repo}/check-runs/${run.id}`;
    return {
      ...example,
      id: run.id,
      node_id: Buffer.from(`CheckRun${run.id}`).toString("base64"),
      head_sha: run.head_sha,
      external_id: run.external_id,
      url: this.apiUrl(path),
      html_url: `${this.origin}/${run.owner}/${run.repo}/runs/${run.id}`,
      details_url: run.details_url,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.started_at,
      completed_at: run.completed_at,
      output: { ...run.output, annotations_url: this.apiUrl(`${path}/annotations`) },
      name: run.name,
      check_suite: { id: run.id },
      app: { ...example.app, id: run.app_id, slug: this.appSlug, name: this.appSlug },
      pull_requests: [],
    };
  }

  private applyCheckRunFields(run: CheckRunRecord, body: Record<string, unknown>): Reply | undefined {
    const output = body.output as { title?: string; summary?: string; text?: string; annotations?: unknown[] } | undefined;
    if ((output?.annotations?.length ?? 0) > 50)
      return unprocessable(["Only 50 annotations are allowed per request"], "GitHub refuses more than 50 annotations a request");
    const conclusion = typeof body.conclusion === "string" ? body.conclusion : undefined;
    const status = typeof body.status === "string" ? body.status : undefined;
    if (status === "completed" && !conclusion && !run.conclusion) {
      return unprocessable(["Conclusion is required when status is completed"], "GitHub refuses a completed check run without a conclusion");
    }
    if (typeof body.name === "string") run.name = body.name;
    if (typeof body.external_id === "string") run.external_id = body.external_id;
    if (typeof body.details_url === "string") run.details_url = body.details_url;
    if (typeof body.started_at === "string") run.started_at = body.started_at;
    if (status) run.status = status;
    if (conclusion) {
      run.conclusion = conclusion;
      run.status = "completed";
    }
    if (run.status === "completed") run.completed_at = typeof body.completed_at === "string" ? body.completed_at : (run.completed_at ?? now());
    if (Array.isArray(body.actions)) run.actions = [...(body.actions as unknown[])];
    if (output) {
      run.output.title = output.title ?? run.output.title;
      run.output.summary = output.summary ?? run.output.summary;
      run.output.text = output.text ?? run.output.text;
      if (output.annotations) run.annotations.push(...output.annotations);
      run.output.annotations_count = run.annotations.length;
    }
    return undefined;
  }

  private createCheckRun(ctx: RouteContext): Reply {
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const run: CheckRunRecord = {
      id: this.nextId++,
      owner: ctx.params.owner ?? "",
      repo: ctx.params.repo ?? "",
      name: typeof body.name === "string" ? body.name : "",
      head_sha: typeof body.head_sha === "string" ? body.head_sha : "",
      external_id: null,
      status: "queued",
      conclusion: null,
      started_at: now(),
      completed_at: null,
      details_url: null,
      output: { title: null, summary: null, text: null, annotations_count: 0 },
      annotations: [],
      actions: [],
      app_id: ctx.appId ?? 0,
      installation_id: ctx.auth?.installationId,
      updates: 0,
    };
    const refused = this.applyCheckRunFields(run, body);
    if (refused) return refused;
    this.checkRunList.push(run);
    return { status: 201, body: this.checkRunBody(run) };
  }

  private checkRunFrom(ctx: RouteContext): CheckRunRecord | undefined {
    const id = Number(ctx.params.check_run_id);
    return this.checkRunList.find((c) => c.id === id && c.owner === ctx.params.owner && c.repo === ctx.params.repo);
  }

  private updateCheckRun(ctx: RouteContext): Reply {
    const run = this.checkRunFrom(ctx);
    if (!run) return { ...notFound(), undocumented: "GitHub's answer for a check run that does not exist" };
    const refused = this.applyCheckRunFields(run, (ctx.body ?? {}) as Record<string, unknown>);
    if (refused) return refused;
    run.updates++;
    return { status: 200, body: this.checkRunBody(run) };
  }

  private getCheckRun(ctx: RouteContext): Reply {
    const run = this.checkRunFrom(ctx);
    return run ? { status: 200, body: this.checkRunBody(run) } : { ...notFound(), undocumented: "GitHub's answer for a check run that does not exist" };
  }

  private listCheckRuns(ctx: RouteContext): Reply {
    const { owner = "", repo = "", ref = "" } = ctx.params;
    const repoState = this.repo(owner, repo);
    const sha = [...repoState.pulls.values()].find((p) => p.headRef === ref)?.headSha ?? ref;
    const name = ctx.query.get("check_name");
    const status = ctx.query.get("status");
    const appId = ctx.query.get("app_id");
    let runs = this.checkRunList
      .filter((c) => c.owner === owner && c.repo === repo && c.head_sha === sha)
      .filter((c) => (name === null || c.name === name) && (status === null || c.status === status) && (appId === null || c.app_id === Number(appId)))
      .sort((a, b) => b.id - a.id);
    if (ctx.query.get("filter") !== "all") {
      const seen = new Set<string>();
      runs = runs.filter((c) => !seen.has(`${c.app_id}/${c.name}`) && seen.add(`${c.app_id}/${c.name}`));
    }
    const { items, headers } = this.page(runs, ctx.query, `/repos/${owner}/${repo}/commits/${ref}/check-runs`);
    return { status: 200, body: { total_count: runs.length, check_runs: items.map((c) => this.checkRunBody(c)) }, headers };
  }

  private getPull(ctx: RouteContext): Reply {
    const pr = this.pullFrom(ctx.params);
    if (!pr) return notFound();
    const example = this.example<Record<string, unknown> & { head: Record<string, unknown>; base: Record<string, unknown>; user: Record<string, unknown> }>(
      "GET",
      "/repos/{owner}/{repo}/pulls/{pull_number}",
      200,
    );
    const repoState = this.repo(pr.owner, pr.repo);
    const repoOf = (side: Record<string, unknown>) => {
      const repo = side.repo as Record<string, unknown> & { owner: Record<string, unknown> };
      return {
        ...repo,
        id: repoState.id,
        name: pr.repo,
        full_name: `${pr.owner}/${pr.repo}`,
        owner: { ...repo.owner, login: pr.owner },
        url: this.apiUrl(`/repos/${pr.owner}/${pr.repo}`),
        default_branch: repoState.defaultBranch,
      };
    };
    const [label] = (example.labels as Array<Record<string, unknown>> | undefined) ?? [];
    const path = `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
    const additions = pr.files.reduce((n, f) => n + countLines(this.patchOf(f), "+"), 0);
    const deletions = pr.files.reduce((n, f) => n + countLines(this.patchOf(f), "-"), 0);
    return {
      status: 200,
      body: {
        ...example,
        url: this.apiUrl(path),
        number: pr.number,
        state: pr.state,
        title: pr.title,
        body: pr.body,
        draft: pr.draft,
        user: { ...example.user, login: pr.author },
        labels: pr.labels.map((name, i) => ({ ...label, id: i + 1, name, default: false })),
        // GitHub's own example lacks the `type` its schema requires of requested teams: none here.
        requested_teams: [],
        head: { ...example.head, ref: pr.headRef, sha: pr.headSha, label: `${pr.owner}:${pr.headRef}`, repo: repoOf(example.head) },
        base: { ...example.base, ref: pr.baseRef, label: `${pr.owner}:${pr.baseRef}`, repo: repoOf(example.base) },
        merged: false,
        mergeable: true,
        changed_files: pr.files.length,
        additions,
        deletions,
      },
    };
  }

  private patchOf(file: PullRequestFile): string | undefined {
    if (file.patch !== undefined) return file.patch;
    return file.text === undefined || file.status === "removed" ? undefined : addedPatch(file.text);
  }

  private listFiles(ctx: RouteContext): Reply {
    const pr = this.pullFrom(ctx.params);
    if (!pr) return { ...notFound(), undocumented: "GitHub's answer for a pull request that does not exist" };
    const [example] = this.example<Array<Record<string, unknown>>>("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", 200);
    const entries = pr.files.map((file) => {
      const patch = this.patchOf(file);
      const additions = countLines(patch, "+");
      const deletions = countLines(patch, "-");
      const entry: Record<string, unknown> = {
        ...example,
        sha: blobSha(file.text ?? ""),
        filename: file.path,
        status: file.status ?? "added",
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${this.origin}/${pr.owner}/${pr.repo}/blob/${pr.headSha}/${file.path}`,
        raw_url: `${this.origin}/${pr.owner}/${pr.repo}/raw/${pr.headSha}/${file.path}`,
        contents_url: this.apiUrl(`/repos/${pr.owner}/${pr.repo}/contents/${file.path}?ref=${pr.headSha}`),
      };
      if (patch === undefined) delete entry.patch;
      else entry.patch = patch;
      if (file.previousPath) entry.previous_filename = file.previousPath;
      return entry;
    });
    const { items, headers } = this.page(entries, ctx.query, `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/files`);
    return { status: 200, body: items, headers };
  }

  private botUser(): Record<string, unknown> {
    const example = this.example<{ user: Record<string, unknown> }>("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200);
    const login = `${this.appSlug}[bot]`;
    return { ...example.user, login, id: 9_000_001, type: "Bot", url: this.apiUrl(`/users/${encodeURIComponent(login)}`), site_admin: false };
  }

  private reviewBody(review: ReviewRecord): unknown {
    const example = this.example<Record<string, unknown>>("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200);
    const prUrl = this.apiUrl(`/repos/${review.owner}/${review.repo}/pulls/${review.pullNumber}`);
    const html = `${this.origin}/${review.owner}/${review.repo}/pull/${review.pullNumber}#pullrequestreview-${review.id}`;
    const body: Record<string, unknown> = {
      ...example,
      id: review.id,
      node_id: Buffer.from(`PullRequestReview${review.id}`).toString("base64"),
      user: this.botUser(),
      body: review.body,
      state: review.state,
      html_url: html,
      pull_request_url: prUrl,
      _links: { html: { href: html }, pull_request: { href: prUrl } },
      commit_id: review.commit_id,
      author_association: "NONE",
    };
    if (review.state === "PENDING") delete body.submitted_at;
    else body.submitted_at = review.submitted_at;
    return body;
  }

  private listReviews(ctx: RouteContext): Reply {
    const pr = this.pullFrom(ctx.params);
    if (!pr) return { ...notFound(), undocumented: "GitHub's answer for a pull request that does not exist" };
    const reviews = this.reviewList.filter((r) => r.owner === pr.owner && r.repo === pr.repo && r.pullNumber === pr.number);
    const { items, headers } = this.page(reviews, ctx.query, `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/reviews`);
    return { status: 200, body: items.map((r) => this.reviewBody(r)), headers };
  }

  private createReview(ctx: RouteContext): Reply {
    const pr = this.pullFrom(ctx.params);
    if (!pr) return { ...notFound(), undocumented: "GitHub's answer for a pull request that does not exist" };
    const body = (ctx.body ?? {}) as { commit_id?: string; event?: string; body?: string; comments?: ReviewCommentInput[] };
    const commitId = body.commit_id ?? pr.headSha;
    if (!pr.heads.includes(commitId)) return unprocessable([`No commit found for SHA: ${commitId}`], "documented as validation-failed-simple");
    const comments = body.comments ?? [];
    const event = body.event;
    if ((event === "REQUEST_CHANGES" || event === "COMMENT") && !body.body && comments.length === 0) {
      return unprocessable([`Review body is required for ${event}`], "documented as validation-failed-simple");
    }
    for (const comment of comments) {
      const file = pr.files.find((f) => f.path === comment.path);
      if (!file) return unprocessable(["Path could not be resolved"], "documented as validation-failed-simple");
      if (comment.position !== undefined) continue;
      const lines = rightSideLines(this.patchOf(file));
      const onDiff = (line: number | undefined) => line !== undefined && (comment.side === "LEFT" || lines.has(line));
      if (!onDiff(comment.line) || (comment.start_line !== undefined && (!onDiff(comment.start_line) || comment.start_line >= (comment.line ?? 0)))) {
        return unprocessable(["Pull request review thread line must be part of the diff"], "documented as validation-failed-simple");
      }
    }
    const state = event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : event === "APPROVE" ? "APPROVED" : event === "COMMENT" ? "COMMENTED" : "PENDING";
    const review: ReviewRecord = {
      id: this.nextId++,
      owner: pr.owner,
      repo: pr.repo,
      pullNumber: pr.number,
      commit_id: commitId,
      event,
      state,
      body: body.body ?? "",
      comments: comments.map((c) => ({ ...c })),
      submitted_at: now(),
    };
    this.reviewList.push(review);
    for (const comment of review.comments) {
      this.reviewComments.push({
        id: this.nextId++,
        reviewId: review.id,
        owner: pr.owner,
        repo: pr.repo,
        pullNumber: pr.number,
        commitId,
        comment,
        createdAt: review.submitted_at,
      });
    }
    return { status: 200, body: this.reviewBody(review) };
  }

  private listReviewComments(ctx: RouteContext): Reply {
    const pr = this.pullFrom(ctx.params);
    if (!pr) return { ...notFound(), undocumented: "GitHub's answer for a pull request that does not exist" };
    const [example] = this.example<Array<Record<string, unknown>>>("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", 200);
    const comments = this.reviewComments
      .filter((c) => c.owner === pr.owner && c.repo === pr.repo && c.pullNumber === pr.number)
      .filter((c) => !this.reviewList.some((r) => r.id === c.reviewId && r.state === "PENDING"));
    if (ctx.query.get("direction") === "desc") comments.reverse();
    const since = ctx.query.get("since");
    const listed = since ? comments.filter((c) => c.createdAt >= since) : comments;
    const { items, headers } = this.page(listed, ctx.query, `/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/comments`);
    const prUrl = this.apiUrl(`/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`);
    const body = items.map((c) => {
      const html = `${this.origin}/${pr.owner}/${pr.repo}/pull/${pr.number}#discussion_r${c.id}`;
      const url = this.apiUrl(`/repos/${pr.owner}/${pr.repo}/pulls/comments/${c.id}`);
      const file = pr.files.find((f) => f.path === c.comment.path);
      const entry: Record<string, unknown> = {
        ...example,
        id: c.id,
        node_id: Buffer.from(`PullRequestReviewComment${c.id}`).toString("base64"),
        url,
        pull_request_review_id: c.reviewId,
        diff_hunk: this.patchOf(file ?? { path: c.comment.path }) ?? "",
        path: c.comment.path,
        commit_id: c.commitId,
        original_commit_id: c.commitId,
        user: this.botUser(),
        body: c.comment.body,
        created_at: c.createdAt,
        updated_at: c.createdAt,
        html_url: html,
        pull_request_url: prUrl,
        author_association: "NONE",
        _links: { self: { href: url }, html: { href: html }, pull_request: { href: prUrl } },
        line: c.comment.line ?? null,
        original_line: c.comment.line ?? null,
        side: c.comment.side ?? "RIGHT",
        start_line: c.comment.start_line ?? null,
        original_start_line: c.comment.start_line ?? null,
        start_side: c.comment.start_line === undefined ? null : (c.comment.start_side ?? "RIGHT"),
      };
      delete entry.in_reply_to_id;
      return entry;
    });
    return { status: 200, body, headers };
  }

  private getContent(ctx: RouteContext): Reply {
    const { owner = "", repo = "", path = "" } = ctx.params;
    const repoState = this.repo(owner, repo);
    const ref = ctx.query.get("ref") ?? undefined;
    if (!this.knownRef(repoState, ref)) return notFound(`No commit found for the ref ${ref ?? ""}`);
    const commit = ref === undefined ? repoState.defaultBranch : ([...repoState.pulls.values()].find((p) => p.headRef === ref)?.headSha ?? ref);
    const cleanPath = path.replace(/^\/+|\/+$/g, "");
    const text = this.fileAt(repoState, commit, cleanPath);
    const links = (p: string, type: string) => {
      const self = this.apiUrl(`/repos/${owner}/${repo}/contents/${p}${ref ? `?ref=${ref}` : ""}`);
      const html = `${this.origin}/${owner}/${repo}/${type === "dir" ? "tree" : "blob"}/${commit}/${p}`;
      return { url: self, html_url: html, _links: { self, git: null, html } };
    };
    if (text !== null) {
      const sha = blobSha(text);
      if (String(ctx.headers.accept ?? "").includes(".raw")) return { status: 200, raw: text };
      const name = cleanPath.slice(cleanPath.lastIndexOf("/") + 1);
      return {
        status: 200,
        body: {
          type: "file",
          encoding: "base64",
          size: Buffer.byteLength(text),
          name,
          path: cleanPath,
          content: Buffer.from(text).toString("base64"),
          sha,
          git_url: this.apiUrl(`/repos/${owner}/${repo}/git/blobs/${sha}`),
          download_url: `${this.origin}/${owner}/${repo}/raw/${commit}/${cleanPath}`,
          ...links(cleanPath, "file"),
        },
      };
    }
    const prefix = `${cleanPath}/`;
    const entries = new Map<string, Record<string, unknown>>();
    for (const [filePath, fileText] of this.pathsAt(repoState, commit)) {
      if (!filePath.startsWith(prefix)) continue;
      const rest = filePath.slice(prefix.length);
      const slash = rest.indexOf("/");
      const name = slash < 0 ? rest : rest.slice(0, slash);
      const entryPath = `${prefix}${name}`;
      if (entries.has(name)) continue;
      const isDir = slash >= 0;
      const sha = isDir ? createHash("sha1").update(`tree ${entryPath}`).digest("hex") : blobSha(fileText);
      entries.set(name, {
        type: isDir ? "dir" : "file",
        size: isDir ? 0 : Buffer.byteLength(fileText),
        name,
        path: entryPath,
        sha,
        git_url: this.apiUrl(`/repos/${owner}/${repo}/git/${isDir ? "trees" : "blobs"}/${sha}`),
        download_url: isDir ? null : `${this.origin}/${owner}/${repo}/raw/${commit}/${entryPath}`,
        ...links(entryPath, isDir ? "dir" : "file"),
      });
    }
    if (entries.size === 0) return notFound();
    return { status: 200, body: [...entries.values()].sort((a, b) => String(a.name).localeCompare(String(b.name))) };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

let requestCounter = 1;

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const common = {
    "x-github-request-id": `LOOPBACK:${(requestCounter++).toString(16).toUpperCase()}`,
    "x-github-enterprise-version": "3.19.0",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    "x-ratelimit-resource": "core",
  };
  if (reply.raw !== undefined) {
    res.writeHead(reply.status, { ...common, "content-type": "text/plain; charset=utf-8", ...reply.headers });
    res.end(reply.raw);
    return;
  }
  const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
  res.writeHead(reply.status, { ...common, ...(text ? { "content-type": "application/json; charset=utf-8" } : {}), ...reply.headers });
  res.end(text);
}
