import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { PullRequestClient } from "../../src/github/pull-request-client.js";
import { findingMarker, markerSeal, sealMarker } from "../../src/report/fingerprint.js";
import { reviewMarker, sealReviewMarker, withReviewMarker } from "../../src/report/review-marker.js";
import { FakeGitHub } from "../helpers/fake-github.js";

const SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const pr = { owner: "acme", repo: "shop", pullNumber: 7, headSha: SHA };
const KEY = Buffer.from("server marker key");
const OURS = "data-engineer[bot]";
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const octokit = () => new Octokit({ auth: "ghs_installation-token", request: { retries: 0 }, log: quiet });
const fp = (c: string) => c.repeat(64);

/** A comment body as the app posts it: text, then the marker sealed for this pull request on the last line. */
const sealedBody = (fingerprint: string, scope = pr) => sealMarker(`**Error** text\n\n${findingMarker(fingerprint)}`, markerSeal(KEY, scope));

let github: FakeGitHub;
afterEach(() => github.stop());

function listedComments(comments: Array<{ body: string; login: string; type: "Bot" | "User" }>): FakeGitHub {
  const [example] = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", 200) as Array<
    Record<string, unknown> & { user: Record<string, unknown> }
  >;
  github.on("GET", "/repos/acme/shop/pulls/7/comments", {
    status: 200,
    body: comments.map((c, i) => ({ ...example, id: 100 + i, body: c.body, user: { ...example?.user, login: c.login, type: c.type } })),
  });
  return listedReviews([]);
}

/** The reviews GitHub lists for the pull request: bodies by whom, on which commit. */
function listedReviews(reviews: Array<{ body: string; login: string; type: "Bot" | "User"; commit?: string }>): FakeGitHub {
  const [example] = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200) as Array<
    Record<string, unknown> & { user: Record<string, unknown> }
  >;
  return github.on("GET", "/repos/acme/shop/pulls/7/reviews", {
    status: 200,
    body: reviews.map((r, i) => ({
      ...example,
      id: 300 + i,
      body: r.body,
      commit_id: r.commit ?? SHA,
      user: { ...example?.user, login: r.login, type: r.type },
    })),
  });
}

describe("the fingerprints a re-review skips", () => {
  it("trusts a sealed marker of ours on the last line, and none in another bot's or a user's comment", async () => {
    github = new FakeGitHub();
    listedComments([
      { body: sealedBody(fp("a")), login: OURS, type: "Bot" },
      // Another app copying (or echoing) our sealed marker line verbatim.
      { body: sealedBody(fp("b")), login: "other-app[bot]", type: "Bot" },
      { body: sealedBody(fp("c")), login: "octocat", type: "User" },
    ]);
    const client = new PullRequestClient(octokit(), pr, undefined, { markerKey: KEY, ownLogin: OURS });
    expect([...(await client.postedFingerprints())]).toEqual([fp("a")]);
    github.assertDone();
  });

  it("learns its own bot from the check run it creates, and then trusts no other bot's sealed marker", async () => {
    github = new FakeGitHub();
    const run = github.example("POST", "/repos/{owner}/{repo}/check-runs", 201) as Record<string, unknown> & { app: Record<string, unknown> };
    github.on("POST", "/repos/acme/shop/check-runs", { status: 201, body: { ...run, id: 9, app: { ...run.app, slug: "data-engineer" } } });
    listedComments([
      { body: sealedBody(fp("a")), login: OURS, type: "Bot" },
      // A marker our server sealed, carried over by another bot (the seal alone would accept it).
      { body: sealedBody(fp("b")), login: "other-app[bot]", type: "Bot" },
    ]);
    const client = new PullRequestClient(octokit(), pr, undefined, { markerKey: KEY });
    expect(client.ownLogin).toBeUndefined();
    await client.startCheckRun("data-engineer", "pr:7", { title: "Reviewing", summary: "…" });
    expect(client.ownLogin).toBe(OURS);
    expect([...(await client.postedFingerprints())]).toEqual([fp("a")]);
    github.assertDone();
  });

  it("does not trust markers quoted in our own comment, unsealed, or sealed for another repository", async () => {
    github = new FakeGitHub();
    const quoted = `syntax error at or near \`${sealedBody(fp("d")).split("\n").at(-1) ?? ""}\`\n\n${findingMarker(fp("e"))}`;
    listedComments([
      { body: `${sealedBody(fp("d"))}\n\nquoted after the marker`, login: OURS, type: "Bot" },
      { body: quoted, login: OURS, type: "Bot" },
      { body: sealedBody(fp("f"), { ...pr, repo: "other" }), login: OURS, type: "Bot" },
      { body: sealedBody(fp("a")), login: OURS, type: "Bot" },
    ]);
    const client = new PullRequestClient(octokit(), pr, undefined, { markerKey: KEY, ownLogin: OURS });
    expect([...(await client.postedFingerprints())]).toEqual([fp("a")]);
    github.assertDone();
  });

  it("seals the marker of each inline comment it posts, and reads it back", async () => {
    github = new FakeGitHub();
    const review = github.example("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200) as Record<string, unknown>;
    github.on("POST", "/repos/acme/shop/pulls/7/reviews", { status: 200, body: { ...review, id: 555 } });
    const client = new PullRequestClient(octokit(), pr, undefined, { markerKey: KEY, ownLogin: OURS });
    await client.postReview({
      event: "COMMENT",
      body: "review",
      comments: [{ path: "db/1.sql", line: 1, body: `**Error** text\n\n${findingMarker(fp("a"))}` }],
      bodyIfRejected: () => "review",
    });
    const posted = (github.requestsTo("pulls/create-review")[0]?.body as { comments: Array<{ body: string }> }).comments[0]?.body ?? "";
    expect(posted).toBe(sealedBody(fp("a")));
    expect(posted).not.toBe(`**Error** text\n\n${findingMarker(fp("a"))}`);

    listedComments([{ body: posted, login: OURS, type: "Bot" }]);
    expect([...(await client.postedFingerprints())]).toEqual([fp("a")]);
    github.assertDone();
  });

  it("seals the marker of a review without inline comments, and reads the review back by it: its findings posted, the head reviewed", async () => {
    github = new FakeGitHub();
    const review = github.example("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200) as Record<string, unknown>;
    github.on("POST", "/repos/acme/shop/pulls/7/reviews", { status: 200, body: { ...review, id: 555 } });
    const client = new PullRequestClient(octokit(), pr, undefined, { markerKey: KEY, ownLogin: OURS });
    const body = withReviewMarker("## Handoff Report\n\n### Outside the diff\n- one", [fp("a"), fp("b")], 65_000);
    await client.postReview({ event: "COMMENT", body, comments: [], bodyIfRejected: () => body });
    const posted = (github.requestsTo("pulls/create-review")[0]?.body as { body: string }).body;
    expect(posted).toBe(sealReviewMarker(body, markerSeal(KEY, pr)));
    expect(posted.split("\n").at(-1)).toMatch(/^<!-- data-engineer:review-findings=a{64},b{64} --><!-- data-engineer:seal=[0-9a-f]{32} -->$/);

    github.assertDone();
    github.stop();
    github = new FakeGitHub();
    github.on("GET", "/repos/acme/shop/pulls/7/comments", { status: 200, body: [] });
    listedReviews([{ body: posted, login: OURS, type: "Bot" }]);
    const again = new PullRequestClient(octokit(), pr, undefined, { markerKey: KEY, ownLogin: OURS });
    expect(again.headReviewedBefore).toBe(false);
    expect([...(await again.postedFingerprints())].sort()).toEqual([fp("a"), fp("b")]);
    expect(again.headReviewedBefore).toBe(true);
    github.assertDone();
  });

  it("trusts no review marker by another bot, sealed for another pull request, unsealed, or above the last line; an earlier commit's review is not this head's", async () => {
    github = new FakeGitHub();
    github.on("GET", "/repos/acme/shop/pulls/7/comments", { status: 200, body: [] });
    const ours = (fps: string[], scope = pr) => sealReviewMarker(withReviewMarker("body", fps, 65_000), markerSeal(KEY, scope));
    listedReviews([
      { body: ours([fp("b")]), login: "other-app[bot]", type: "Bot" },
      { body: ours([fp("c")], { ...pr, pullNumber: 8 }), login: OURS, type: "Bot" },
      { body: withReviewMarker("body", [fp("d")], 65_000), login: OURS, type: "Bot" },
      { body: `${ours([fp("e")])}\n\nquoted after the marker`, login: OURS, type: "Bot" },
      // A comment's sealed marker is not a review's (the seal covers which kind it is).
      { body: sealMarker(`text\n\n${findingMarker(fp("f"))}`, markerSeal(KEY, pr)), login: OURS, type: "Bot" },
      { body: ours([fp("a")]), login: OURS, type: "Bot", commit: "0".repeat(40) },
    ]);
    const client = new PullRequestClient(octokit(), pr, undefined, { markerKey: KEY, ownLogin: OURS });
    expect([...(await client.postedFingerprints())]).toEqual([fp("a")]);
    expect(client.headReviewedBefore).toBe(false);
    expect(reviewMarker([])).toBe("<!-- data-engineer:review-findings= -->");
    github.assertDone();
  });
});
