import type { Octokit } from "@octokit/rest";
import type { ProbotOctokit } from "probot";
import { isInstallationTokenRequest } from "./installation-token-request.js";
import { realClock, type Clock } from "./rate-limit.js";

/**
 * How far apart one installation's writes to GitHub go, and which requests count as writes.
 *
 * Probot's throttling plugin (@octokit/plugin-throttling) spaces every request it takes for a
 * write a second apart per installation, and every request that may notify people three seconds
 * apart. It takes for a write every POST, GraphQL queries included (it routes `/graphql` through
 * its write queue, and on GitHub Enterprise Server, where GraphQL is `/api/graphql`, the POST alone
 * makes it one). A review job reads by GraphQL (./graphql-review-context.ts,
 * ./graphql-head-files.ts), so its reads queued behind the other jobs' writes; and the three
 * seconds between reviews capped an installation at 20 reviews a minute. Here the app keeps the
 * plugin (its concurrency cap, its handling of rate-limit answers) but takes its write and
 * notification queues over (`withSpacedWrites`): a request hook classifies each request and spaces
 * only writes.
 *
 * The spacing, from GitHub's documentation
 * (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#pause-between-mutative-requests
 * and https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits):
 * - "If you are making a large number of POST, PATCH, PUT, or DELETE requests, wait at least one
 *   second between each request": writes of one installation start WRITE_SPACING_MS apart.
 * - "No more than 80 content-generating requests per minute": a review or a comment is a write,
 *   so one installation's content-generating requests are at least a second apart, 60 a minute at
 *   most, under the 80 (CONTENT_SPACING_MS, 750 ms, is the spacing that limit needs; the write
 *   spacing covers it, so no separate queue holds them three seconds as Probot's did). GitHub's
 *   hourly limit (500 content-generating requests) is not spaced for: a burst above it is answered
 *   with a secondary rate limit, which callGitHub waits out (./call.ts, rule 3).
 * - GraphQL queries are reads: GitHub counts their cost in the GraphQL API's own points
 *   (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api),
 *   not as mutative requests, so they are not spaced. A GraphQL mutation is a write.
 */
export const WRITE_SPACING_MS = 1_000;
/** 60 000 ms / 80 content-generating requests a minute (see above); no more than WRITE_SPACING_MS. */
export const CONTENT_SPACING_MS = 60_000 / 80;

/** What the request hook sees of a request (Octokit's endpoint options). */
export interface RequestShape {
  method?: string;
  url?: string;
  /** A GraphQL document (@octokit/graphql passes it as the `query` parameter). */
  query?: unknown;
}

/**
 * Whether a GraphQL document holds a mutation (or a subscription): an operation whose keyword
 * opens the document or follows another operation's closing brace, once comments and strings are
 * removed. A field that happens to be named `mutation` after a sibling's selection counts too,
 * which spaces a read for nothing but never sends a write unspaced.
 */
export function graphqlWrites(document: string): boolean {
  const bare = document
    .replace(/"""[\s\S]*?"""/g, '""')
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/#[^\n\r]*/g, "");
  return /(?:^|\})\s*(?:mutation|subscription)\b/.test(bare);
}

/** Whether a request is a write to space: any non-GET request but a token or a GraphQL query. */
export function isSpacedWrite(request: RequestShape): boolean {
  const method = (request.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  const { pathname } = new URL(request.url ?? "/", "http://github.test");
  // The installation token: authentication, which the plugin queues on its own.
  if (isInstallationTokenRequest(pathname)) return false;
  // GraphQL is /graphql on github.com and /api/graphql on GitHub Enterprise Server.
  if (method === "POST" && (pathname === "/graphql" || pathname.endsWith("/api/graphql")))
    return typeof request.query !== "string" || graphqlWrites(request.query);
  return true;
}

/** A write's place in its installation's line. */
interface Turn {
  /** When the write asked for its turn. */
  readonly asked: number;
  /** When it may start: WRITE_SPACING_MS after the turn before it, and not before it asked. */
  at: number;
  /** Wakes the waiting write when `at` moved (a turn before it was given back). */
  moved: () => void;
}

/** One installation's writes: when the last one started, and those waiting for their turn, in order. */
interface Line {
  lastAt: number;
  waiting: Turn[];
}

/**
 * The turns of each installation's writes: a write starts no earlier than WRITE_SPACING_MS after
 * the installation's previous one, in the order they asked. A write aborted while it waits (its
 * job superseded or stopped) gives its turn back: it sends nothing, so the writes behind it move
 * up instead of keeping a second's gap for it. One per process (every installation client Probot
 * makes shares it); tests give their own with a clock they move.
 */
export class WriteTurns {
  private readonly lines = new Map<string, Line>();

  constructor(
    private readonly clock: Clock = realClock,
    private readonly spacingMs = WRITE_SPACING_MS,
  ) {}

  /**
   * Books the installation's next turn and waits for it. Throws the signal's reason, at once,
   * when `signal` is aborted before the turn comes; the turn is then given back.
   */
  async take(installation: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.clock.now();
    this.forgetIdle(now);
    let line = this.lines.get(installation);
    if (!line) this.lines.set(installation, (line = { lastAt: Number.NEGATIVE_INFINITY, waiting: [] }));
    const turn: Turn = { asked: now, at: Math.max(now, (line.waiting.at(-1)?.at ?? line.lastAt) + this.spacingMs), moved: () => undefined };
    line.waiting.push(turn);
    const wake = () => turn.moved();
    signal?.addEventListener("abort", wake, { once: true });
    try {
      for (let left = turn.at - now; left > 0; left = turn.at - this.clock.now()) {
        await Promise.race([this.clock.sleep(left), new Promise<void>((resolve) => (turn.moved = resolve))]);
        signal?.throwIfAborted();
      }
      line.waiting.splice(line.waiting.indexOf(turn), 1);
      line.lastAt = Math.max(line.lastAt, turn.at);
    } catch (error) {
      this.giveBack(line, turn);
      throw error;
    } finally {
      signal?.removeEventListener("abort", wake);
    }
  }

  /** Drops an aborted write's turn; each later one then comes a spacing after the turn before it, and is woken to wait for that. */
  private giveBack(line: Line, turn: Turn): void {
    const index = line.waiting.indexOf(turn);
    if (index < 0) return;
    line.waiting.splice(index, 1);
    let before = line.waiting[index - 1]?.at ?? line.lastAt;
    for (const later of line.waiting.slice(index)) {
      later.at = Math.max(later.asked, before + this.spacingMs);
      before = later.at;
      later.moved();
    }
  }

  /** Installations with no write waiting and whose last turn is past need no entry (a process may serve thousands). */
  private forgetIdle(now: number): void {
    if (this.lines.size < 1_000) return;
    for (const [installation, line] of this.lines) if (line.waiting.length === 0 && line.lastAt + this.spacingMs <= now) this.lines.delete(installation);
  }
}

const processTurns = new WriteTurns();

/** The parts of Octokit's options this module reads and sets. */
interface ThrottleOptions {
  enabled?: boolean;
  /** The installation id Probot gives each installation's client. */
  id?: string;
  write?: unknown;
  notifications?: unknown;
}

/**
 * A queue that holds nothing, in the shape the throttling plugin calls (`key(id).schedule(options,
 * task)`, Bottleneck's Group): handed to it for its write and notification queues, which the hook
 * below replaces.
 */
const UNQUEUED = Object.freeze({
  key: () => ({ schedule: (_options: unknown, task: () => Promise<unknown>) => task() }),
});

/** The request hook: spaces writes per installation, when throttling is on for the client. */
function spaceWritesPlugin(turns: WriteTurns) {
  return (octokit: Pick<Octokit, "hook">, options: Record<string, unknown>): void => {
    const throttle = options.throttle as ThrottleOptions | undefined;
    if (!throttle || throttle.enabled === false) return;
    const installation = throttle.id ?? "app";
    octokit.hook.wrap("request", async (request, requestOptions) => {
      // A job superseded while its write waited sends nothing (./job-signal.ts), and the write gives its turn back.
      if (isSpacedWrite(requestOptions)) await turns.take(installation, requestOptions.request?.signal ?? undefined);
      return request(requestOptions);
    });
  };
}

/**
 * Probot's Octokit with writes spaced here rather than in the throttling plugin's queues (see the
 * top of this file). `turns` is the process's unless a test gives its own.
 */
export function withSpacedWrites<C extends typeof ProbotOctokit>(Octokit: C, turns: WriteTurns = processTurns): C {
  const Spaced = Octokit.plugin(spaceWritesPlugin(turns));
  return Spaced.defaults((options: Record<string, unknown>) => {
    const throttle = options.throttle as ThrottleOptions | undefined;
    return { ...options, throttle: { ...throttle, write: UNQUEUED, notifications: UNQUEUED } };
  });
}
