import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { graphqlQuery } from "../../src/github/graphql-request.js";
import { CONTENT_SPACING_MS, graphqlWrites, isSpacedWrite, withSpacedWrites, WRITE_SPACING_MS, WriteTurns } from "../../src/github/write-spacing.js";
import { FakeGitHub, GRAPHQL_OPERATION, type FakeReply } from "../helpers/fake-github.js";
import { privateKey, TestOctokit } from "../helpers/probot.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";

/**
 * Which requests wait for their installation's write turn, shown by what the fake GitHub receives
 * and when, on a clock the test moves (no test waits for real time): Probot's Octokit with its
 * throttling plugin on, as the server runs it, with `withSpacedWrites`.
 */

const SHA = "a".repeat(40);
const VIEWER = { doing: "asking who we are", query: "query { viewer { login } }", variables: {} };

async function installationClient(github: FakeGitHub, turns: WriteTurns, installationId = INSTALLATION_ID, Base: typeof ProbotOctokit = ProbotOctokit) {
  github.installationToken(installationId);
  const probot = new Probot({ appId: 123, privateKey, Octokit: withSpacedWrites(Base, turns), log: pino({ level: "silent" }) });
  return probot.auth(installationId);
}

/** GitHub's documented answer to `template`, after noting the (virtual) time the request arrived. */
function answer(github: FakeGitHub, template: string, status: number, arrivals: number[], clock: VirtualClock): () => FakeReply {
  const body = github.example("POST", template, status);
  return () => {
    arrivals.push(clock.now());
    return { status, body };
  };
}

/** A client on its own write turns and virtual clock; `creates` check-run creations are answered, their arrival times noted. */
async function spacedClient(creates: number) {
  const clock = new VirtualClock();
  const github = new FakeGitHub();
  const arrivals: number[] = [];
  github.on("POST", "/repos/o/r/check-runs", answer(github, "/repos/{owner}/{repo}/check-runs", 201, arrivals, clock), creates);
  const octokit = await installationClient(github, new WriteTurns(clock));
  return { clock, github, arrivals, octokit, start: clock.now() };
}

const operations = (github: FakeGitHub) => github.apiCalls().map((r) => r.operationId);

/** Lets the promise callbacks run (a woken write books its new wait on the clock) before the test moves the clock. */
const eventLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Aborts a write waiting for its turn, sees it give up at once, and lets the writes behind it book their new wait. */
async function abortWaiting(controller: AbortController, waiting: Promise<unknown>): Promise<void> {
  controller.abort(new Error("superseded"));
  await expect(waiting).rejects.toThrow("superseded");
  await eventLoopTurn();
}

describe("an installation's writes are spaced, its GraphQL reads are not", () => {
  it("sends a GraphQL query at once while the installation's next write waits for its turn", async () => {
    const { clock, github, arrivals, octokit, start } = await spacedClient(2);

    await octokit.rest.checks.create({ owner: "o", repo: "r", name: "first", head_sha: SHA });
    const second = octokit.rest.checks.create({ owner: "o", repo: "r", name: "second", head_sha: SHA });
    const viewer = await graphqlQuery<{ viewer: { login: string } }>(octokit, VIEWER);

    expect(viewer.viewer.login).toBe("data-engineer[bot]");
    // The query went out while the second write still waits: the clock has not moved.
    expect(operations(github)).toEqual(["checks/create", GRAPHQL_OPERATION]);
    clock.advance(WRITE_SPACING_MS);
    await second;
    expect(operations(github)).toEqual(["checks/create", GRAPHQL_OPERATION, "checks/create"]);
    expect(arrivals).toEqual([start, start + WRITE_SPACING_MS]);
    github.assertDone();
  });

  it("spaces two review POSTs of one installation by the write turn, which keeps them under GitHub's 80 a minute", async () => {
    const clock = new VirtualClock();
    const github = new FakeGitHub();
    const arrivals: number[] = [];
    github.on("POST", "/repos/o/r/pulls/1/reviews", answer(github, "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200, arrivals, clock), 2);
    const octokit = await installationClient(github, new WriteTurns(clock));
    const start = clock.now();
    const review = (body: string) => octokit.rest.pulls.createReview({ owner: "o", repo: "r", pull_number: 1, event: "COMMENT", body });

    const [one, two] = [review("one"), review("two")];
    await one;
    // The second review arrives when its turn comes, not before (the clock moves only here).
    clock.advance(WRITE_SPACING_MS);
    await two;

    expect(arrivals).toEqual([start, start + WRITE_SPACING_MS]);
    expect(WRITE_SPACING_MS).toBeGreaterThanOrEqual(CONTENT_SPACING_MS);
    expect(60_000 / CONTENT_SPACING_MS).toBe(80);
    github.assertDone();
  });

  it("does not make one installation wait for another's writes", async () => {
    const clock = new VirtualClock();
    const turns = new WriteTurns(clock);
    const github = new FakeGitHub();
    github.on("POST", "/repos/o/r/check-runs", { status: 201, body: github.example("POST", "/repos/{owner}/{repo}/check-runs", 201) }, 2);
    const first = await installationClient(github, turns, INSTALLATION_ID);
    const second = await installationClient(github, turns, INSTALLATION_ID + 1);

    // Neither waits: the clock never moves, so a write that waited would never be sent.
    await first.rest.checks.create({ owner: "o", repo: "r", name: "a", head_sha: SHA });
    await second.rest.checks.create({ owner: "o", repo: "r", name: "b", head_sha: SHA });
    expect(operations(github)).toEqual(["checks/create", "checks/create"]);
    github.assertDone();
  });

  it("sends nothing for a write whose signal was aborted while it waited for its turn", async () => {
    const { clock, github, octokit } = await spacedClient(1);
    await octokit.rest.checks.create({ owner: "o", repo: "r", name: "sent", head_sha: SHA });
    const superseded = new AbortController();
    const waiting = octokit.rest.checks.create({ owner: "o", repo: "r", name: "superseded", head_sha: SHA, request: { signal: superseded.signal } });

    superseded.abort(new Error("superseded"));
    clock.advance(WRITE_SPACING_MS);

    await expect(waiting).rejects.toThrow("superseded");
    expect(operations(github)).toEqual(["checks/create"]);
    github.assertDone();
  });

  it("gives an aborted write's turn back: the write behind it is sent a spacing after the last one sent, not two", async () => {
    const { clock, github, arrivals, octokit, start } = await spacedClient(2);
    await octokit.rest.checks.create({ owner: "o", repo: "r", name: "sent", head_sha: SHA });
    const superseded = new AbortController();
    const waiting = octokit.rest.checks.create({ owner: "o", repo: "r", name: "superseded", head_sha: SHA, request: { signal: superseded.signal } });
    const behind = octokit.rest.checks.create({ owner: "o", repo: "r", name: "next", head_sha: SHA });
    await eventLoopTurn();

    // The aborted write gives up at once, without the clock moving to its turn.
    await abortWaiting(superseded, waiting);
    clock.advance(WRITE_SPACING_MS);
    await behind;

    expect(arrivals).toEqual([start, start + WRITE_SPACING_MS]);
    expect((github.requestsTo("checks/create")[1]?.body as { name?: string }).name).toBe("next");
    github.assertDone();
  });

  it("spaces nothing when the client's throttling is off (the tests' Octokit)", async () => {
    const clock = new VirtualClock();
    const github = new FakeGitHub();
    github.on("POST", "/repos/o/r/check-runs", { status: 201, body: github.example("POST", "/repos/{owner}/{repo}/check-runs", 201) }, 2);
    const octokit = await installationClient(github, new WriteTurns(clock), INSTALLATION_ID, TestOctokit);

    await octokit.rest.checks.create({ owner: "o", repo: "r", name: "a", head_sha: SHA });
    await octokit.rest.checks.create({ owner: "o", repo: "r", name: "b", head_sha: SHA });
    expect(operations(github)).toEqual(["checks/create", "checks/create"]);
    github.assertDone();
  });
});

describe("write turns on their own", () => {
  it("books a write asked after an abort where the aborted one's turn was, not a spacing later", async () => {
    const clock = new VirtualClock();
    const turns = new WriteTurns(clock);
    const start = clock.now();
    await turns.take("1");
    const aborted = new AbortController();
    await abortWaiting(aborted, turns.take("1", aborted.signal));

    let startedAt: number | undefined;
    const next = turns.take("1").then(() => (startedAt = clock.now()));
    await eventLoopTurn();
    clock.advance(WRITE_SPACING_MS);
    await next;
    expect(startedAt).toBe(start + WRITE_SPACING_MS);
  });

  it("moves up every write behind a turn given back, each a spacing after the one before", async () => {
    const clock = new VirtualClock();
    const turns = new WriteTurns(clock);
    const start = clock.now();
    const started: Record<string, number> = {};
    const take = (name: string, signal?: AbortSignal) => turns.take("1", signal).then(() => void (started[name] = clock.now() - start));
    await take("first");
    const aborted = new AbortController();
    const gaveUp = take("aborted", aborted.signal);
    const [second, third] = [take("second"), take("third")];
    await eventLoopTurn();
    await abortWaiting(aborted, gaveUp);
    clock.advance(WRITE_SPACING_MS);
    await second;
    clock.advance(WRITE_SPACING_MS);
    await third;
    expect(started).toEqual({ first: 0, second: WRITE_SPACING_MS, third: 2 * WRITE_SPACING_MS });
  });

  it("throws at once for a signal aborted before the write asked, and books nothing", async () => {
    const clock = new VirtualClock();
    const turns = new WriteTurns(clock);
    await expect(turns.take("1", AbortSignal.abort(new Error("stopped")))).rejects.toThrow("stopped");
    // Nothing booked: the next write starts at once (the clock never moves).
    await turns.take("1");
  });
});

describe("which requests are writes", () => {
  it.each([
    [{ method: "GET", url: "/repos/o/r/pulls/1/files" }, false],
    [{ method: "HEAD", url: "/repos/o/r" }, false],
    [{ method: "POST", url: "/app/installations/42/access_tokens" }, false],
    [{ method: "POST", url: "/graphql", query: "query { viewer { login } }" }, false],
    [{ method: "POST", url: "http://ghe.example/api/graphql", query: "{ viewer { login } }" }, false],
    [{ method: "POST", url: "/graphql", query: "mutation { addComment(input: {subjectId: 1, body: 2}) { clientMutationId } }" }, true],
    [{ method: "POST", url: "/graphql" }, true],
    [{ method: "POST", url: "/repos/o/r/check-runs" }, true],
    [{ method: "POST", url: "/repos/o/r/pulls/1/reviews" }, true],
    [{ method: "PATCH", url: "/repos/o/r/check-runs/5" }, true],
    [{ method: "DELETE", url: "/repos/o/r/issues/1/labels/x" }, true],
  ])("%o is a write: %s", (request, write) => {
    expect(isSpacedWrite(request)).toBe(write);
  });

  it("finds a mutation after other operations and comments, and not in strings or comments", () => {
    expect(graphqlWrites("# mutation in a comment\nquery A { viewer { login } }")).toBe(false);
    expect(graphqlWrites('query { repository(owner: "mutation", name: "x") { id } }')).toBe(false);
    expect(graphqlWrites("query A { viewer { login } }\nmutation B { x }")).toBe(true);
    expect(graphqlWrites("  # first\n  mutation { x }")).toBe(true);
    expect(graphqlWrites("subscription { x }")).toBe(true);
  });
});
