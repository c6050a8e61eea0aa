import { gzipSync } from "node:zlib";
import nock from "nock";
import { addedFilePatch } from "../../src/report/diff-anchors.js";
import { paxEntry, rawTar } from "../agent/workspace/tar-bytes.js";
import type { FakeGitHub, FakeReply, RecordedRequest } from "./fake-github.js";
import type { FakeChangedFile, FakePullRequest } from "./fake-github-graphql.js";
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
): void {
  const repo = repoPath(payload);
  if (viaProbot) github.installationToken(INSTALLATION_ID);
  expectRepoConfig(github, payload, configYaml);
  const pages = Array.isArray(files) ? files : [files];
  const failed = pages.find((page) => page.status !== 200);
  if (failed) {
    github.on("POST", "/graphql", { ...failed, body: failed.body });
    // The job fails; its dead letter reports the reason (a run it starts, then completes).
    github.mayReceive("PATCH", `${repo}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>));
  }
  const pull = fakePullRequest(github, payload);
  pull.files = pages
    .filter((page) => page.status === 200)
    .flatMap((page) => page.body as Array<{ filename: string; status: string; additions: number; deletions: number }>)
    .map((f) => ({ path: f.filename, changeType: CHANGE_TYPE[f.status] ?? "CHANGED", additions: f.additions, deletions: f.deletions }));
  if (!failed) {
    // Read at most twice: the list (over 100 files), then the patches (findings to anchor).
    for (let round = 0; round < 2; round++) for (const page of pages) github.mayReceive("GET", `${repo}/pulls/${payload.pull_request.number}/files`, page);
  }
  github.on("POST", `${repo}/check-runs`, checkRunCreated(github, completion));
}

/** A file of the head commit: changed by the pull request (listed with its patch) or only beside one. */
export interface HeadFile {
  path: string;
  text: string;
  status?: "added" | "modified";
}

/** The patch GitHub gives for a file the pull request adds. */
export const addedPatch = addedFilePatch;

export interface ReviewScenario {
  /** Changed migration files. */
  changed: HeadFile[];
  /** Other files in their folders (a down file the pull request does not touch). */
  beside?: HeadFile[];
  /** Bodies of review comments the app posted before. */
  posted?: string[];
  /** Who posted them: this app's bot by default. */
  postedBy?: string;
  /** The head when the app checks before posting; the event's head by default. */
  head?: string;
  /** GitHub's answers to the review posts, in order; none expected when empty. */
  reviews?: Array<(body: Record<string, unknown>) => FakeReply>;
  /** Check run updates after the first (annotation batches). */
  extraUpdates?: number;
  config?: string;
  /** Files the pull request changes that are not migrations (listed, never read). */
  unrelated?: string[];
  /** False when the test drives the pipeline with its own Octokit (no installation token). */
  viaProbot?: boolean;
}

/** Expects the whole review of a pull request's migrations, and answers as GitHub would. */
export function expectMigrationReview(github: FakeGitHub, payload: PullRequestPayload, scenario: ReviewScenario): void {
  const owner = payload.repository.owner.login;
  const name = payload.repository.name;
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
  expectCheckFlow(github, payload, pages, undefined, scenario.config, scenario.viaProbot ?? true);
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
  for (const answer of scenario.reviews ?? []) github.on("POST", `${repo}/pulls/${number}/reviews`, (req) => answer(req.body as Record<string, unknown>));
  if (scenario.extraUpdates)
    github.on("PATCH", `${repo}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>), scenario.extraUpdates);
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
