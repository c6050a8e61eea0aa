import type { FakeGitHub, FakeReply } from "./fake-github.js";
import { INSTALLATION_ID, webhookExample } from "./webhooks.js";

/** The pull request fields the app reads, typed loosely over the real example payload. */
export interface PullRequestPayload {
  action: string;
  number: number;
  pull_request: {
    number: number;
    draft?: boolean;
    changed_files?: number;
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
export function checkRunReply(github: FakeGitHub, status: number, id: number, sent: Record<string, unknown>): FakeReply {
  const example = github.example("POST", "/repos/{owner}/{repo}/check-runs", 201) as Record<string, unknown> & {
    output: Record<string, unknown>;
  };
  const output = (sent.output ?? {}) as Record<string, unknown>;
  const pick = (key: string) => (sent[key] === undefined ? {} : { [key]: sent[key] });
  return {
    status,
    body: {
      ...example,
      id,
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

const NOT_FOUND: FakeReply = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };

/**
 * Expects .github/data-engineer.yml to be read from the repository (the default branch: no ref)
 * and, when absent there, from the organisation's .github repository.
 */
export function expectRepoConfig(github: FakeGitHub, payload: PullRequestPayload, yaml?: string): void {
  const { owner, name } = { owner: payload.repository.owner.login, name: payload.repository.name };
  const configPath = (repo: string) => new RegExp(`^/repos/${owner}/${repo.replace(".", "\\.")}/contents/\\.github(/|%2F)data-engineer\\.yml$`);
  if (yaml !== undefined) {
    github.on("GET", configPath(name), { status: 200, raw: yaml });
    return;
  }
  github.on("GET", configPath(name), NOT_FOUND).on("GET", configPath(".github"), NOT_FOUND);
}

/** Expects the token, the in-progress check, the configuration, the file listing and the completion, in that order. */
export function expectCheckFlow(
  github: FakeGitHub,
  payload: PullRequestPayload,
  files: FakeReply | FakeReply[],
  completion: (body: Record<string, unknown>) => FakeReply = (body) => checkRunReply(github, 200, 7, body),
  configYaml?: string,
): void {
  const repo = repoPath(payload);
  github
    .installationToken(INSTALLATION_ID)
    .on("POST", `${repo}/check-runs`, (req) => checkRunReply(github, 201, 7, req.body as Record<string, unknown>));
  expectRepoConfig(github, payload, configYaml);
  for (const page of Array.isArray(files) ? files : [files]) {
    github.on("GET", `${repo}/pulls/${payload.pull_request.number}/files`, page);
  }
  github.on("PATCH", `${repo}/check-runs/7`, (req) => completion(req.body as Record<string, unknown>));
}
