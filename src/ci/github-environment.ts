import { readFileSync } from "node:fs";
import { z } from "zod";
import { EnvironmentError, errorMessage } from "../errors.js";
import type { PullRequestFacts } from "../review/auto-review.js";

/**
 * The pull request a GitHub Actions job runs for, from the variables every job has:
 * GITHUB_REPOSITORY (owner/name), GITHUB_EVENT_NAME and GITHUB_EVENT_PATH (the webhook payload that
 * triggered the workflow), GITHUB_TOKEN (passed in by the workflow or the action), GITHUB_API_URL
 * (GitHub Enterprise Server's API root; api.github.com when unset), and GITHUB_SERVER_URL with
 * GITHUB_RUN_ID for a link to the run.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/variables
 */

export const DEFAULT_API_URL = "https://api.github.com";

/** Events whose payload carries the pull request this review needs. */
const PULL_REQUEST_EVENTS = new Set(["pull_request", "pull_request_target"]);

export interface CiPullRequest {
  owner: string;
  repo: string;
  token: string;
  /** The REST API root. */
  apiUrl: string;
  /** The workflow run's page, linked from a commit status; undefined outside a real run. */
  runUrl: string | undefined;
  number: number;
  headSha: string;
  /** What decides whether it is reviewed (draft, labels, author, base branch), plus title and body. */
  facts: PullRequestFacts;
}

/** The fields of a `pull_request` event the review reads; the payload has many more. */
const PullRequestEventSchema = z.object({
  pull_request: z.object({
    number: z.int().positive(),
    draft: z.boolean().optional(),
    title: z.string().optional(),
    body: z.string().nullable().optional(),
    user: z.object({ login: z.string() }).nullable().optional(),
    labels: z.array(z.object({ name: z.string() })).optional(),
    base: z.object({ ref: z.string().min(1) }),
    head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "must be a commit SHA") }),
    changed_files: z.int().nonnegative().optional(),
  }),
});

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const text = env[name]?.trim();
  return text ? text : undefined;
}

function readEvent(path: string, readText: (path: string) => string): unknown {
  let text: string;
  try {
    text = readText(path);
  } catch (error) {
    throw new EnvironmentError(`GITHUB_EVENT_PATH names ${path}, which cannot be read: ${errorMessage(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EnvironmentError(`GITHUB_EVENT_PATH names ${path}, which is not a JSON event payload: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * The pull request of this job, or an EnvironmentError whose one line names what is missing:
 * the token, the repository, the event file, or a pull request in it.
 */
export function readCiEnvironment(env: NodeJS.ProcessEnv, readText: (path: string) => string = (path) => readFileSync(path, "utf8")): CiPullRequest {
  const missing = ["GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH"].filter((name) => value(env, name) === undefined);
  if (missing.length > 0) {
    throw new EnvironmentError(
      `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set: --github runs in a GitHub Actions job on a pull_request event, ` +
        "with the workflow's token in GITHUB_TOKEN (the data-engineer action passes its github-token input)",
    );
  }
  const token = value(env, "GITHUB_TOKEN") ?? "";
  const repository = value(env, "GITHUB_REPOSITORY") ?? "";
  const eventPath = value(env, "GITHUB_EVENT_PATH") ?? "";
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) throw new EnvironmentError(`GITHUB_REPOSITORY must be owner/name, not "${repository}"`);

  const apiUrl = value(env, "GITHUB_API_URL") ?? DEFAULT_API_URL;
  if (!/^https?:\/\/[^/\s]+/.test(apiUrl))
    throw new EnvironmentError(`GITHUB_API_URL must be the REST API's URL (e.g. https://github.example.com/api/v3), not "${apiUrl}"`);

  const eventName = value(env, "GITHUB_EVENT_NAME");
  if (eventName !== undefined && !PULL_REQUEST_EVENTS.has(eventName)) {
    throw new EnvironmentError(`the workflow ran on a ${eventName} event, not a pull_request event: run data-engineer on \`on: pull_request\``);
  }
  const payload = readEvent(eventPath, readText);
  if (typeof payload !== "object" || payload === null || !("pull_request" in payload)) {
    throw new EnvironmentError(`the event in ${eventPath} carries no pull_request: it is not a pull_request event (run data-engineer on \`on: pull_request\`)`);
  }
  const parsed = PullRequestEventSchema.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new EnvironmentError(`the pull_request event in ${eventPath} lacks what the review needs (${problems})`);
  }
  const pr = parsed.data.pull_request;

  const server = value(env, "GITHUB_SERVER_URL");
  const runId = value(env, "GITHUB_RUN_ID");
  return {
    owner,
    repo,
    token,
    apiUrl,
    runUrl: server && runId ? `${server.replace(/\/+$/, "")}/${owner}/${repo}/actions/runs/${runId}` : undefined,
    number: pr.number,
    headSha: pr.head.sha,
    facts: {
      draft: pr.draft === true,
      author: pr.user?.login ?? "ghost",
      labels: (pr.labels ?? []).map((label) => label.name),
      baseRef: pr.base.ref,
      changedFiles: pr.changed_files ?? 0,
      ...(pr.title !== undefined ? { title: pr.title } : {}),
      body: pr.body ?? "",
    },
  };
}
