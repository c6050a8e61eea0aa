import { Octokit } from "@octokit/rest";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pullRequestWebhook, startApp, type AppProcess } from "../helpers/app-process.js";
import { defaultHeadSha, DEFAULT_MIGRATION_FILES, LoopbackGitHub } from "../helpers/loopback-github.js";

/** The loopback GitHub must answer as GitHub would, and catch what GitHub would refuse. */

/** An app JWT as far as the loopback GitHub looks at it: three parts, the payload naming the app. */
const appJwt = () => ["e30", Buffer.from(JSON.stringify({ iss: 1, iat: 0, exp: 9e9 })).toString("base64url"), "sig"].join(".");

/** Octokit logs every error answer; these tests ask for many. */
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function installationOctokit(url: string, installationId = 42): Promise<Octokit> {
  const app = new Octokit({ baseUrl: url, auth: appJwt(), log: quiet });
  const { data } = await app.rest.apps.createInstallationAccessToken({ installation_id: installationId });
  return new Octokit({ baseUrl: url, auth: data.token, log: quiet });
}

describe("LoopbackGitHub", () => {
  let github: LoopbackGitHub;
  let octokit: Octokit;

  beforeEach(async () => {
    github = new LoopbackGitHub();
    const { url } = await github.start();
    octokit = await installationOctokit(url);
  });

  afterEach(async () => {
    await github.close();
  });

  it("serves a pull request's review path by itself, with documented answers", async () => {
    const sha = defaultHeadSha("o", "r", 7);
    const { data: pr } = await octokit.rest.pulls.get({ owner: "o", repo: "r", pull_number: 7 });
    expect(pr).toMatchObject({ number: 7, state: "open", head: { sha } });

    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: "o", repo: "r", pull_number: 7, per_page: 100 });
    expect(files.map((f) => f.filename)).toEqual(DEFAULT_MIGRATION_FILES.map((f) => f.path));
    expect(files[0]?.patch).toBe("@@ -0,0 +1,1 @@\n+CREATE INDEX index_users_on_email ON users (email);");

    await expect(
      octokit.rest.repos.getContent({ owner: "o", repo: "r", path: ".github/data-engineer.yml", mediaType: { format: "raw" } }),
    ).rejects.toMatchObject({ status: 404 });
    const raw = await octokit.rest.repos.getContent({
      owner: "o",
      repo: "r",
      path: DEFAULT_MIGRATION_FILES[0]?.path ?? "",
      ref: sha,
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe(DEFAULT_MIGRATION_FILES[0]?.text);
    const json = await octokit.rest.repos.getContent({ owner: "o", repo: "r", path: DEFAULT_MIGRATION_FILES[1]?.path ?? "", ref: sha });
    expect(Buffer.from((json.data as { content: string }).content, "base64").toString()).toBe(DEFAULT_MIGRATION_FILES[1]?.text);
    const folder = await octokit.rest.repos.getContent({ owner: "o", repo: "r", path: "db", ref: sha });
    expect(folder.data).toMatchObject([{ type: "dir", name: "migrations", path: "db/migrations" }]);
    await expect(octokit.rest.repos.getContent({ owner: "o", repo: "r", path: "db", ref: "f".repeat(40) })).rejects.toMatchObject({ status: 404 });

    const { data: run } = await octokit.rest.checks.create({
      owner: "o",
      repo: "r",
      name: "data-engineer",
      head_sha: sha,
      external_id: "x",
      status: "in_progress",
      output: { title: "Reviewing", summary: "…" },
    });
    await octokit.rest.checks.update({
      owner: "o",
      repo: "r",
      check_run_id: run.id,
      conclusion: "failure",
      output: { title: "1 problem", summary: "s", annotations: [{ path: "a.sql", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" }] },
    });
    expect(github.checkRuns()).toMatchObject([
      {
        id: run.id,
        status: "completed",
        conclusion: "failure",
        head_sha: sha,
        external_id: "x",
        output: { title: "1 problem", annotations_count: 1 },
        app_id: 1,
        installation_id: 42,
      },
    ]);
    const { data: listed } = await octokit.rest.checks.listForRef({ owner: "o", repo: "r", ref: sha, check_name: "data-engineer", app_id: 1 });
    expect(listed.check_runs.map((c) => c.id)).toEqual([run.id]);

    await octokit.rest.pulls.createReview({
      owner: "o",
      repo: "r",
      pull_number: 7,
      commit_id: sha,
      event: "COMMENT",
      body: "b",
      comments: [{ path: DEFAULT_MIGRATION_FILES[0]?.path ?? "", line: 1, side: "RIGHT", body: "c <!-- fp -->" }],
    });
    expect(github.reviewCount(7, sha)).toBe(1);
    const { data: comments } = await octokit.rest.pulls.listReviewComments({ owner: "o", repo: "r", pull_number: 7, per_page: 100 });
    expect(comments).toMatchObject([{ body: "c <!-- fp -->", user: { login: "data-engineer[bot]", type: "Bot" }, line: 1 }]);
    const { data: reviews } = await octokit.rest.pulls.listReviews({ owner: "o", repo: "r", pull_number: 7 });
    expect(reviews).toMatchObject([{ state: "COMMENTED", commit_id: sha }]);
    expect(github.problems).toEqual([]);
  });

  it("follows GitHub's pagination, and serves set-up pull requests and configuration", async () => {
    const files = Array.from({ length: 150 }, (_, i) => ({ path: `src/f${i}.ts`, text: `x${i}\n`, status: "modified" as const }));
    github.pullRequest("o", "r", 3, { headSha: "a".repeat(40), files, labels: ["db"], draft: true });
    github.setFile("o", "r", ".github/data-engineer.yml", "agent:\n  enabled: false\n");
    const listed = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: "o", repo: "r", pull_number: 3, per_page: 100 });
    expect(listed).toHaveLength(150);
    expect(github.requestsTo("pulls/list-files").map((r) => r.query)).toEqual(["?per_page=100", "?per_page=100&page=2"]);
    const { data: pr } = await octokit.rest.pulls.get({ owner: "o", repo: "r", pull_number: 3 });
    expect(pr).toMatchObject({ draft: true, labels: [{ name: "db" }], head: { sha: "a".repeat(40) }, changed_files: 150 });
    const config = await octokit.rest.repos.getContent({ owner: "o", repo: "r", path: ".github/data-engineer.yml", mediaType: { format: "raw" } });
    expect(config.data).toBe("agent:\n  enabled: false\n");
    expect(github.problems).toEqual([]);
  });

  it("answers GraphQL at GitHub Enterprise Server's /api/graphql from its state, checked against GitHub's schema", async () => {
    const sha = defaultHeadSha("o", "r", 7);
    await octokit.rest.pulls.createReview({ owner: "o", repo: "r", pull_number: 7, commit_id: sha, event: "COMMENT", body: "earlier" });
    const answer = await octokit.graphql<{
      viewer: { login: string };
      repository: {
        pullRequest: {
          headRefOid: string;
          files: { nodes: Array<{ path: string; changeType: string; additions: number }> };
          reviews: { nodes: Array<{ body: string; viewerDidAuthor: boolean; commit: { oid: string } | null }> };
        };
        object: { text: string } | null;
      };
    }>(
      `query($owner: String!, $name: String!, $number: Int!, $expression: String!) {
        viewer { login }
        repository(owner: $owner, name: $name) {
          pullRequest(number: $number) {
            headRefOid
            files(first: 100) { nodes { path changeType additions } }
            reviews(first: 100) { nodes { body viewerDidAuthor commit { oid } } }
          }
          object(expression: $expression) { ... on Blob { text } }
        }
      }`,
      { owner: "o", name: "r", number: 7, expression: `${sha}:${DEFAULT_MIGRATION_FILES[0]?.path ?? ""}` },
    );
    expect(answer.viewer.login).toBe("data-engineer[bot]");
    expect(answer.repository.pullRequest.headRefOid).toBe(sha);
    expect(answer.repository.pullRequest.files.nodes).toEqual(DEFAULT_MIGRATION_FILES.map((f) => ({ path: f.path, changeType: "ADDED", additions: 1 })));
    expect(answer.repository.pullRequest.reviews.nodes).toEqual([{ body: "earlier", viewerDidAuthor: true, commit: { oid: sha } }]);
    expect(answer.repository.object?.text).toBe(DEFAULT_MIGRATION_FILES[0]?.text);
    expect(github.requestsTo("graphql").map((r) => [r.path, r.status])).toEqual([["/api/graphql", 200]]);
    expect(github.problems).toEqual([]);

    // A field GitHub's schema does not have is refused, and recorded as the client's problem.
    await expect(octokit.graphql("query { viewer { nickname } }")).rejects.toThrow(/nickname/);
    expect(github.problems).toEqual([expect.stringContaining("GraphQL query breaks GitHub's schema")]);
    const anonymous = new Octokit({ baseUrl: github.url, log: quiet });
    await expect(anonymous.graphql("query { viewer { login } }")).rejects.toMatchObject({ status: 401 });
  });

  it("records a request body GitHub's description does not allow", async () => {
    await octokit
      .request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", head_sha: "abc", status: "finished" } as never)
      .catch(() => undefined);
    expect(github.problems.join("\n")).toContain("request body must have required property 'name'");
    expect(github.problems.join("\n")).toContain("request body/status must be equal to one of the allowed values");
  });

  it("refuses review comments off the diff as GitHub does, without a problem", async () => {
    await expect(
      octokit.rest.pulls.createReview({
        owner: "o",
        repo: "r",
        pull_number: 1,
        event: "COMMENT",
        body: "b",
        comments: [{ path: DEFAULT_MIGRATION_FILES[0]?.path ?? "", line: 9, body: "off the diff" }],
      }),
    ).rejects.toMatchObject({ status: 422, response: { data: { errors: ["Pull request review thread line must be part of the diff"] } } });
    expect(github.reviews(1)).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("answers an unserved route with GitHub's 404 and records it", async () => {
    await expect(octokit.request("GET /repos/{owner}/{repo}/no-such-thing", { owner: "o", repo: "r" })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.repos.get({ owner: "o", repo: "r" })).rejects.toMatchObject({ status: 404 });
    expect(github.problems).toEqual([expect.stringContaining("unhandled GET /repos/o/r/no-such-thing"), "unhandled GET /repos/o/r (repos/get)"]);
  });

  it("records requests that are not authenticated as GitHub wants", async () => {
    const anonymous = new Octokit({ baseUrl: github.url, log: quiet });
    await expect(anonymous.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 })).rejects.toMatchObject({ status: 401 });
    await expect(octokit.rest.apps.createInstallationAccessToken({ installation_id: 1 })).rejects.toMatchObject({ status: 401 });
    expect(github.problems).toEqual([
      "GET /repos/o/r/pulls/1: not authenticated with an installation token this server issued",
      "POST /app/installations/1/access_tokens: not authenticated as the app (a JWT bearer token is required)",
    ]);
  });

  it("holds matching requests until released", async () => {
    const hold = github.holdRoute({ method: "PATCH", path: /^\/repos\/o\/r\/check-runs\/\d+$/ });
    const { data: run } = await octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "abc" });
    let answered = false;
    const update = octokit.rest.checks.update({ owner: "o", repo: "r", check_run_id: run.id, conclusion: "success" }).then(() => {
      answered = true;
    });
    await hold.arrived(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    expect(hold.waiting).toBe(1);
    expect(github.checkRuns()[0]?.status).toBe("queued");
    hold.release();
    await update;
    expect(github.checkRuns()[0]).toMatchObject({ status: "completed", conclusion: "success" });
    // Released: later requests pass.
    await octokit.rest.checks.update({ owner: "o", repo: "r", check_run_id: run.id, output: { title: "t", summary: "s" } });
    expect(hold.held).toBe(1);
    expect(github.problems).toEqual([]);
  });

  it("drops a held request whose client went away", async () => {
    const hold = github.holdRoute({ operationId: "pulls/create-review" });
    const controller = new AbortController();
    const posting = octokit.rest.pulls.createReview({
      owner: "o",
      repo: "r",
      pull_number: 1,
      event: "COMMENT",
      body: "b",
      request: { signal: controller.signal },
    });
    await hold.arrived();
    controller.abort();
    await expect(posting).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    hold.release();
    await github.waitFor((g) => g.requestsTo("pulls/create-review")[0]?.abandoned, 2000);
    expect(github.reviews()).toEqual([]);
  });

  it("fails the next matching requests with the status asked for", async () => {
    github.failNext({ operationId: "pulls/get" }, 502, 2);
    await expect(octokit.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 })).rejects.toMatchObject({ status: 502 });
    await expect(octokit.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 })).rejects.toMatchObject({ status: 502 });
    await expect(octokit.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 })).resolves.toMatchObject({ status: 200 });
    expect(github.requestsTo("pulls/get").map((r) => r.status)).toEqual([502, 502, 200]);
    expect(github.problems).toEqual([]);
  });

  it("waits for a state and says what it saw when it is not reached", async () => {
    const waiting = github.waitFor((g) => g.checkRuns().find((c) => c.status === "completed"), 5000);
    const { data: run } = await octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "abc" });
    await octokit.rest.checks.update({ owner: "o", repo: "r", check_run_id: run.id, conclusion: "neutral" });
    await expect(waiting).resolves.toMatchObject({ id: run.id });
    await expect(github.waitFor(() => false, 50, "nothing")).rejects.toThrow(/nothing not reached within 50 ms[\s\S]*PATCH \/repos\/o\/r\/check-runs/);
  });
});

describe("the built app against the loopback GitHub", () => {
  let github: LoopbackGitHub;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    github = new LoopbackGitHub();
    const { host } = await github.start();
    app = await startApp({ githubHost: host });
  });

  afterAll(async () => {
    await app?.dispose();
    await github.close();
  });

  it("reviews a pull request from a signed webhook: completed check run, one review, no problems", async () => {
    if (!app) throw new Error("the app did not start");
    const payload = pullRequestWebhook("opened", { owner: "acme", repo: "shop", number: 12 });
    const sent = await app.sendWebhook("pull_request", payload, "delivery-1");
    expect(sent.status, app.describe()).toBeLessThan(300);

    const sha = defaultHeadSha("acme", "shop", 12);
    const done = await github
      .waitFor(
        (g) =>
          g.checkRuns({ head_sha: sha }).find((c) => c.status === "completed" && c.conclusion) &&
          g.reviewCount(12, sha) > 0 &&
          g.checkRuns({ head_sha: sha })[0],
        30_000,
        "completed check run and review",
      )
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${app?.describe()}`);
      });
    expect(done).toMatchObject({ name: "data-engineer", external_id: `data-engineer:pr=12:sha=${sha}`, status: "completed" });
    expect(done.conclusion).toMatch(/^(failure|neutral|success|action_required)$/);
    expect(github.reviews(12)).toHaveLength(1);
    expect(github.reviews(12)[0]).toMatchObject({ commit_id: sha, owner: "acme", repo: "shop" });
    expect(github.problems, github.summary()).toEqual([]);
    expect(app.peakRssBytes()).toBeGreaterThan(10 * 1024 * 1024);
  }, 60_000);
});
