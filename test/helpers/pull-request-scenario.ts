import { gzipSync } from "node:zlib";
import nock from "nock";
import { addedFilePatch } from "../../src/report/diff-anchors.js";
import { paxEntry, rawTar } from "../agent/workspace/tar-bytes.js";
import type { FakeGitHub, FakeReply, RecordedRequest } from "./fake-github.js";
import type { FakeChangedFile, FakePullRequest } from "./fake-github-graphql.js";
import { fileContentAnswer } from "./contents-answer.js";
import { INSTALLATION_ID, webhookExample } from "./webhooks.js";

/** The pull request fields the app reads, typed loosely over the real example payload. */
export interface PullRequestPayload {
  action: string;
  number: number;
  pull_request: {
    number: number;
    draft?: boolean;
    changed_files?: number;
    title?: string;
    body?: string | null;
    head: { sha: string };
  };
  repository: { name: string; full_name: string; owner: { login: string } };
  installation: { id: number };
}

export function pullRequestEvent(action: string, changes: { draft?: boolean; changedFiles?: number } = {}): PullRequestPayload {
  const payload = webhookExample<PullRequestPayload>("pull_request", action);
  if (changes.draft !== undefined) payload.pull_request.draft = changes.draft;
  if (changes.changedFiles !== undefined) payload.pull_request.changed_files = changes.changedFiles;
  return payload;
}

export function repoPath(payload: PullRequestPayload): string {
  return `/repos/${payload.repository.owner.login}/${payload.repository.name}`;
}

/** GitHub's documented check run, updated with what the app sent for it. */
export function checkRunReply(github: FakeGitHub, status: number, id: number, sent: Record<string, unknown>, appSlug = "data-engineer"): FakeReply {
  const example = github.example("POST", "/repos/{owner}/{repo}/check-runs", 201) as Record<string, unknown> & {
    output: Record<string, unknown>;
    app: Record<string, unknown>;
  };
  const output = (sent.output ?? {}) as Record<string, unknown>;
  const pick = (key: string) => (sent[key] === undefined ? {} : { [key]: sent[key] });
  return {
    status,
    body: {
      ...example,
      id,
      // GitHub names the app whose token created the run (this app, or github-actions for a workflow's token).
      app: { ...example.app, slug: appSlug },
      ...pick("name"),
      ...pick("head_sha"),
      ...pick("external_id"),
      ...pick("status"),
      ...pick("conclusion"),
      output: { ...example.output, title: output.title ?? null, summary: output.summary ?? null },
    },
  };
}

/** GitHub's documented pull request file entry, for each path given. */
export function fileEntries(github: FakeGitHub, paths: readonly string[], status = "added"): unknown[] {
  const [example] = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", 200) as Array<Record<string, unknown>>;
  return paths.map((filename, i) => ({ ...example, sha: `${i}`.padStart(40, "0"), filename, status, additions: 3, deletions: 0, changes: 3 }));
}

/** The pull request in the fake's GraphQL state (created with no files when new). */
export function fakePullRequest(github: FakeGitHub, payload: PullRequestPayload): FakePullRequest {
  const repository = github.repository(payload.repository.owner.login, payload.repository.name);
  const number = payload.pull_request.number;
  repository.pullRequests[number] ??= { headSha: payload.pull_request.head.sha, files: [], reviews: [] };
  return repository.pullRequests[number];
}

/**
 * .github/data-engineer.yml on the repository's default branch (absent without `yaml`: the
 * organisation's `.github` repository does not exist either). The review reads it with the pull
 * request in its first GraphQL query.
 */
export function expectRepoConfig(github: FakeGitHub, payload: PullRequestPayload, yaml?: string): void {
  const repository = github.repository(payload.repository.owner.login, payload.repository.name);
  if (yaml !== undefined) repository.defaultBranch[".github/data-engineer.yml"] = yaml;
  fakePullRequest(github, payload);
}

const CHANGE_TYPE: Record<string, FakeChangedFile["changeType"]> = {
  added: "ADDED",
  removed: "DELETED",
  modified: "MODIFIED",
  renamed: "RENAMED",
  copied: "COPIED",
  changed: "CHANGED",
  unchanged: "CHANGED",
};

/** The GraphQL queries the app sent, as text with their variables (to see what they asked for). */
export function graphqlQueries(github: FakeGitHub): string[] {
  return github.requestsTo("graphql").map((r) => JSON.stringify(r.body));
}

/** GitHub's answer to a check run created completed: 201, with what the app sent. */
export function checkRunCreated(github: FakeGitHub, completion: (body: Record<string, unknown>) => FakeReply = (body) => checkRunReply(github, 201, 7, body)) {
  return (request: RecordedRequest): FakeReply => {
    const reply = completion(request.body as Record<string, unknown>);
    return reply.status === 200 ? { ...reply, status: 201 } : reply;
  };
}

/**
 * The check run's final state as the app reported it: the creation when it was created completed
 * (the app's review jobs), else the first update that completed it.
 */
export function checkCompletion(github: FakeGitHub): Record<string, unknown> | undefined {
  const writes = [...github.requestsTo("checks/create"), ...github.requestsTo("checks/update")].filter((r) => !r.refused);
  return writes.map((r) => r.body as Record<string, unknown>).find((body) => body.status === "completed");
}

/**
 * Expects the token, the review's first GraphQL query (the configuration, the pull request and its
 * files), and the check run created completed. `files` are the REST pages GitHub would list: the
 * GraphQL state lists the same files; the pages are answered when the app reads them (more than
 * 100 files, or the patches of a review with findings). A failing page makes the GraphQL query fail.
 */
export function expectCheckFlow(
  github: FakeGitHub,
  payload: PullRequestPayload,
  files: FakeReply | FakeReply[],
  completion?: (body: Record<string, unknown>) => FakeReply,
  configYaml?: string,
  viaProbot = true,
  checkRun = true,
): void {
  const repo = repoPath(payload);
  if (viaProbot) github.installationToken(INSTALLATION_ID);
  expectRepoConfig(github, payload, configYaml);
  const pages = Array.isArray(files) ? files : [files];
  const failed = pages.find((page) => page.status !== 200);
  if (failed) {
    // The job fails; its dead letter looks for the job's check run (none: it was to be created at
    // the end), runs the review once more (failing the same way), and creates the check run
    // completed with the reason.
    github.on("POST", "/graphql", { ...failed, body: failed.body }, 2);
    const listing = new RegExp(`^${repo}/commits/${payload.pull_request.head.sha}/check-runs$`);
    github.on("GET", listing, { status: 200, body: { total_count: 0, check_runs: [] } }, 2);
  }
  const pull = fakePullRequest(github, payload);
  pull.files = pages
    .filter((page) => page.status === 200)
    .flatMap((page) => page.body as Array<{ filename: string; status: string; additions: number; deletions: number }>)
    .map((f) => ({ path: f.filename, changeType: CHANGE_TYPE[f.status] ?? "CHANGED", additions: f.additions, deletions: f.deletions }));
  if (!failed) {
    // Read when GraphQL's first page did not hold every file, and for the patches (findings to
    // anchor), on each attempt of the job.
    for (let round = 0; round < 5; round++) for (const page of pages) github.mayReceive("GET", `${repo}/pulls/${payload.pull_request.number}/files`, page);
  }
  if (checkRun) github.on("POST", `${repo}/check-runs`, checkRunCreated(github, completion));
}

const NOT_FOUND: FakeReply = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };

/**
 * Expects .github/data-engineer.yml to be read from the repository (the default branch: no ref)
 * and, when absent there, from the organisation's .github repository.
 */
export function expectRepoConfigRest(github: FakeGitHub, payload: PullRequestPayload, yaml?: string): void {
  const { owner, name } = { owner: payload.repository.owner.login, name: payload.repository.name };
  const configPath = (repo: string) => new RegExp(`^/repos/${owner}/${repo.replace(".", "\\.")}/contents/\\.github(/|%2F)data-engineer\\.yml$`);
  if (yaml !== undefined) {
    github.on("GET", configPath(name), fileContentAnswer(owner, name, ".github/data-engineer.yml", yaml));
    return;
  }
  github.on("GET", configPath(name), NOT_FOUND).on("GET", configPath(".github"), NOT_FOUND);
}

/** Through REST (the CI review, re-runs): expects the token, the in-progress check, the configuration, the file listing and the completion, in that order. */
export function expectCheckFlowRest(
  github: FakeGitHub,
  payload: PullRequestPayload,
  files: FakeReply | FakeReply[],
  completion: (body: Record<string, unknown>) => FakeReply = (body) => checkRunReply(github, 200, 7, body),
  configYaml?: string,
  viaProbot = true,
  checkRun = true,
): void {
  const repo = repoPath(payload);
  if (viaProbot) github.installationToken(INSTALLATION_ID);
  if (checkRun) github.on("POST", `${repo}/check-runs`, (req) => checkRunReply(github, 201, 7, req.body as Record<string, unknown>));
  expectRepoConfigRest(github, payload, configYaml);
  for (const page of Array.isArray(files) ? files : [files]) {
    github.on("GET", `${repo}/pulls/${payload.pull_request.number}/files`, page);
  }
  if (checkRun) github.on("PATCH", `${repo}/check-runs/7`, (req) => completion(req.body as Record<string, unknown>));
}

/** A file of the head commit: changed by the pull request (listed with its patch) or only beside one. */
export interface HeadFile {
  path: string;
  text: string;
  status?: "added" | "modified";
}

/** The patch GitHub gives for a file the pull request adds. */
export const addedPatch = addedFilePatch;

const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")));
const contentsPath = (owner: string, repo: string, path: string) =>
  new RegExp(
    `^/repos/${owner}/${repo}/contents/${path
      .split("/")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("(/|%2F)")}$`,
  );

export interface ReviewScenario {
  /** Changed migration files. */
  changed: HeadFile[];
  /** Other files in their folders (a down file the pull request does not touch). */
  beside?: HeadFile[];
  /** Bodies of review comments the app posted before. */
  posted?: string[];
  /** Who posted them: this app's bot by default. */
  postedBy?: string;
  /** Reviews posted before, as GitHub lists them when asked (none by default). */
  postedReviews?: unknown[] | (() => unknown[]);
  /** False when the check run's creation and completion are expected elsewhere (a rerun reporting on a check run that exists). */
  checkRun?: boolean;
  /**
   * The head GitHub gives when the review reads the pull request just before posting (`/data-engineer
   * review`, a re-run, the Action; the event's head by default). A review job of a pull request
   * event reads no head from GitHub: it looks at the head the app's webhooks recorded.
   */
  head?: string;
  /** Whether the review reads the pull request's head from GitHub before posting (see `head`). */
  headRead?: boolean;
  /** GitHub's answers to the review posts, in order; none expected when empty. */
  reviews?: Array<(body: Record<string, unknown>) => FakeReply>;
  /** Check run updates after the first (annotation batches). */
  extraUpdates?: number;
  config?: string;
  /** Files the pull request changes that are not migrations (listed, never read). */
  unrelated?: string[];
  /** False when the test drives the pipeline with its own Octokit (no installation token). */
  viaProbot?: boolean;
  /**
   * Read through REST (the CI review, `viaProbot: false`, and a re-run from the checks UI): the check run started in
   * progress and completed, the contents API, the head re-checked. The app's review jobs read by
   * GraphQL and create the check run once (the default).
   */
  rest?: boolean;
}

/** Expects the whole review of a pull request's migrations, and answers as GitHub would. */
export function expectMigrationReview(github: FakeGitHub, payload: PullRequestPayload, scenario: ReviewScenario): void {
  // A test driving the pipeline with its own Octokit is the CI review: it reads through REST.
  const rest = scenario.rest ?? scenario.viaProbot === false;
  const number = payload.pull_request.number;
  const repo = repoPath(payload);
  const listed = fileEntries(
    github,
    scenario.changed.map((f) => f.path),
  ).map((entry, i) => ({
    ...(entry as Record<string, unknown>),
    status: scenario.changed[i]?.status ?? "added",
    patch: addedPatch(scenario.changed[i]?.text ?? ""),
  }));
  const others = fileEntries(github, scenario.unrelated ?? [], "modified");
  // GitHub lists 100 files a page, with a link to the next one.
  const all = [...listed, ...others];
  const pages: FakeReply[] = [];
  for (let start = 0; start === 0 || start < all.length; start += 100) {
    const page = start / 100 + 1;
    const more = start + 100 < all.length;
    pages.push({
      status: 200,
      body: all.slice(start, start + 100),
      ...(more ? { headers: { link: `<https://api.github.com${repo}/pulls/${number}/files?per_page=100&page=${page + 1}>; rel="next"` } } : {}),
    });
  }
  if (rest) {
    expectCheckFlowRest(github, payload, pages, undefined, scenario.config, scenario.viaProbot ?? true, scenario.checkRun ?? true);
    expectHeadReadsRest(github, payload, scenario);
  } else expectCheckFlow(github, payload, pages, undefined, scenario.config, scenario.viaProbot ?? true, scenario.checkRun ?? true);
  if (!rest) expectHeadReads(github, payload, scenario);
  for (const answer of scenario.reviews ?? [])
    github.on("POST", `${repo}/pulls/${number}/reviews`, (req) => {
      const reply = answer(req.body as Record<string, unknown>);
      // GitHub holds what it stored: the next read of the pull request lists the review.
      if (!rest && reply.status < 300) storeReview(github, payload, req.body as PostedReview);
      return reply;
    });
  if (scenario.extraUpdates)
    github.on("PATCH", `${repo}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>), scenario.extraUpdates);
}

interface PostedReview {
  body?: string;
  commit_id?: string;
  comments?: Array<{ body: string }>;
}

/** A review the app posted, as GitHub's GraphQL API lists it afterwards (by the token's bot). */
function storeReview(github: FakeGitHub, payload: PullRequestPayload, posted: PostedReview): void {
  const author = github.graphqlState.viewer;
  fakePullRequest(github, payload).reviews.push({
    body: posted.body ?? "",
    author,
    ...(posted.commit_id ? { commitOid: posted.commit_id } : {}),
    comments: (posted.comments ?? []).map((c) => ({ body: c.body, author })),
  });
}

/** The head's files, earlier comments and head, in the fake's GraphQL state. */
function expectHeadReads(github: FakeGitHub, payload: PullRequestPayload, scenario: ReviewScenario): void {
  const owner = payload.repository.owner.login;
  const name = payload.repository.name;
  const headFiles = [...scenario.changed, ...(scenario.beside ?? [])];
  const repository = github.repository(owner, name);
  repository.commits[payload.pull_request.head.sha] = Object.fromEntries(headFiles.map((f) => [f.path, f.text]));
  const pull = fakePullRequest(github, payload);
  if (scenario.head !== undefined) pull.headSha = scenario.head;
  const by = scenario.postedBy ?? "data-engineer[bot]";
  if ((scenario.posted ?? []).length > 0) {
    const author = { login: by.replace(/\[bot\]$/, ""), bot: by.endsWith("[bot]") };
    pull.reviews.push({ body: "", author, commitOid: payload.pull_request.head.sha, comments: (scenario.posted ?? []).map((body) => ({ body, author })) });
  }
  // Reviews posted before, given as REST lists them (a function: those the test's GitHub stored, which storeReview holds already).
  if (Array.isArray(scenario.postedReviews))
    for (const review of scenario.postedReviews as RestReview[]) {
      const login = review.user?.login ?? "ghost";
      const reviewer = { login: login.replace(/\[bot\]$/, ""), bot: review.user?.type === "Bot" };
      pull.reviews.push({ body: review.body ?? "", author: reviewer, ...(review.commit_id ? { commitOid: review.commit_id } : {}) });
    }
}

interface RestReview {
  body?: string | null;
  commit_id?: string | null;
  user?: { login: string; type: string } | null;
}

/** The head's folders and files through the contents API, earlier comments and the head re-check. */
function expectHeadReadsRest(github: FakeGitHub, payload: PullRequestPayload, scenario: ReviewScenario): void {
  const owner = payload.repository.owner.login;
  const name = payload.repository.name;
  const number = payload.pull_request.number;
  const repo = repoPath(payload);
  const headFiles = [...scenario.changed, ...(scenario.beside ?? [])];
  for (const folder of new Set(scenario.changed.map((f) => folderOf(f.path)))) {
    const entries = headFiles
      .filter((f) => folderOf(f.path) === folder)
      .map((f) => ({
        type: "file",
        size: Buffer.byteLength(f.text),
        name: f.path.slice(f.path.lastIndexOf("/") + 1),
        path: f.path,
        sha: "3d21ec53a331a6f037a91c368710b99387d012c1",
        url: `https://api.github.com${repo}/contents/${f.path}`,
        git_url: `https://api.github.com${repo}/git/blobs/3d21ec53a331a6f037a91c368710b99387d012c1`,
        html_url: `https://github.com/${owner}/${name}/blob/main/${f.path}`,
        download_url: `https://raw.githubusercontent.com/${owner}/${name}/main/${f.path}`,
        _links: { self: `https://api.github.com${repo}/contents/${f.path}`, git: null, html: null },
      }));
    github.on("GET", contentsPath(owner, name, folder), { status: 200, body: entries });
  }
  for (const file of headFiles) github.on("GET", contentsPath(owner, name, file.path), { status: 200, raw: file.text });
  const [comment] = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", 200) as Array<
    Record<string, unknown> & { user: Record<string, unknown> }
  >;
  github.on("GET", `${repo}/pulls/${number}/comments`, {
    status: 200,
    body: (scenario.posted ?? []).map((body, i) => ({
      ...comment,
      id: 100 + i,
      body,
      user: { ...comment?.user, login: scenario.postedBy ?? "data-engineer[bot]", type: "Bot" },
    })),
  });
  // The reviews posted before: a review body's sealed marker names the findings it reported (report/review-marker.ts).
  const reviews = scenario.postedReviews;
  github.on("GET", `${repo}/pulls/${number}/reviews`, () => ({ status: 200, body: typeof reviews === "function" ? reviews() : (reviews ?? []) }));
  if (scenario.headRead) {
    const pull = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200) as Record<string, unknown> & { head: Record<string, unknown> };
    // GitHub's own example lacks the `type` its schema requires of requested teams: none are needed here.
    github.on("GET", `${repo}/pulls/${number}`, {
      status: 200,
      body: { ...pull, requested_teams: [], head: { ...pull.head, sha: scenario.head ?? payload.pull_request.head.sha } },
    });
  }
}

/** GitHub's answer to a review it accepts. */
export function reviewAccepted(github: FakeGitHub): (body: Record<string, unknown>) => FakeReply {
  return (body) => {
    const example = github.example("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200) as Record<string, unknown>;
    return { status: 200, body: { ...example, id: 555, body: body.body ?? "" } };
  };
}

/** GitHub's answer when a review comment does not sit on the diff. */
export function reviewRejected(): FakeReply {
  return {
    status: 422,
    body: {
      message: "Unprocessable Entity",
      documentation_url: "https://docs.github.com/rest",
      errors: ["Pull request review thread line must be part of the diff"],
    },
  };
}

/**
 * The head commit's tarball, as the agent's workspace fetches it: GitHub's documented 302 to
 * codeload.github.com (not the API host: the API token must not follow), then the gzipped tar with
 * one top-level folder.
 */
export function expectHeadTarball(github: FakeGitHub, payload: PullRequestPayload, files: readonly HeadFile[]): nock.Scope {
  const sha = payload.pull_request.head.sha;
  const archive = `/${payload.repository.owner.login}/${payload.repository.name}/legacy.tar.gz/${sha}`;
  github.on("GET", `${repoPath(payload)}/tarball/${sha}`, { status: 302, headers: { location: `https://codeload.github.com${archive}?token=short-lived` } });
  const top = `repo-${sha.slice(0, 7)}`;
  const tar = gzipSync(rawTar([paxEntry({ comment: sha }, "g"), ...files.map((f) => ({ path: `${top}/${f.path}`, body: f.text }))]));
  return nock("https://codeload.github.com", { badheaders: ["authorization"] })
    .get(archive)
    .query(true)
    .reply(200, tar, { "content-type": "application/x-gzip" });
}

/**
 * The pull request's issue events: one `labeled` event per entry, by `login` (GitHub's "Labeled
 * Issue Event"), which the review reads to know who applied a label that would skip it.
 */
export function expectLabelEvents(github: FakeGitHub, repo: string, number: number, labeled: ReadonlyArray<{ label: string; login: string }>): void {
  const [example] = github.example("GET", "/repos/{owner}/{repo}/issues/{issue_number}/events", 200) as Array<
    Record<string, unknown> & { actor: Record<string, unknown> }
  >;
  github.on("GET", `${repo}/issues/${number}/events`, {
    status: 200,
    body: labeled.map((entry, i) => ({
      ...example,
      id: 500 + i,
      event: "labeled",
      actor: { ...example?.actor, login: entry.login, type: entry.login.endsWith("[bot]") ? "Bot" : "User" },
      performed_via_github_app: null,
      label: { name: entry.label, color: "ededed" },
    })),
  });
}

/** GitHub's answer to "Get repository permissions for a user" for `login`. */
export function expectPermission(github: FakeGitHub, repo: string, login: string, permission: "admin" | "maintain" | "write" | "triage" | "read"): void {
  const example = github.example("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", 200) as Record<string, unknown> & {
    user: Record<string, unknown>;
  };
  // GitHub's example lacks the user's `role_name` its schema requires.
  const base = permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
  github.on("GET", `${repo}/collaborators/${login}/permission`, {
    status: 200,
    body: { ...example, permission: base, role_name: permission, user: { ...example.user, login, role_name: permission } },
  });
}
