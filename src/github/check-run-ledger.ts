import type { CheckResult } from "../report/check-output.js";
import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";

/**
 * Records every check run an installation's Octokit creates in progress and forgets it once a
 * PATCH completes it: the ledger the in-progress sweeper reads (src/jobs/check-run-sweeper.ts).
 * A hook after the request sees GitHub's answer, so whatever path created or completed the run
 * (the webhook handler, a job, a dead letter, a superseded hook) is recorded without each caller
 * remembering to. Hooks registered after Octokit's retry plugin see only the final answer.
 */

/** Where the runs are recorded: src/jobs/open-check-runs.ts (declared here: src/github/ sits below the jobs). */
export interface CheckRunRecorder {
  readonly active: boolean;
  opened(run: { checkRunId: number; installationId: number; owner: string; repo: string }): void;
  closed(checkRunId: number): void;
}

/** The shape of `octokit.hook` the recorder needs. */
export interface CheckRunHooks {
  hook: {
    after(name: "request", hook: (response: { url?: string; data?: unknown }, options: { method?: string }) => void): void;
  };
}

const RUNS = /^\/repos\/([^/]+)\/([^/]+)\/check-runs(?:\/(\d+))?$/;

export function recordCheckRuns(octokit: CheckRunHooks, installationId: number, ledger: CheckRunRecorder): void {
  octokit.hook.after("request", (response, options) => {
    try {
      if (!ledger.active || typeof response.url !== "string") return;
      const match = RUNS.exec(new URL(response.url).pathname.replace(/^\/api\/v3/, ""));
      const data = response.data as { id?: unknown; status?: unknown } | undefined;
      if (!match || typeof data?.id !== "number") return;
      if (options.method === "POST" && !match[3] && data.status !== "completed")
        ledger.opened({ checkRunId: data.id, installationId, owner: decodeURIComponent(match[1] ?? ""), repo: decodeURIComponent(match[2] ?? "") });
      else if (options.method === "PATCH" && match[3] && data.status === "completed") ledger.closed(data.id);
    } catch {
      // Recording must not fail a request GitHub answered; an unrecorded run is only not swept.
    }
  });
}

/** What the sweeper found: the run was still in progress and is now completed, or someone had completed it. */
export type SweepOutcome = "completed" | "already completed";

/**
 * Completes our check run `checkRunId` when GitHub still shows it in progress. Read first: a job
 * or a person may have completed it since (a re-run completes the old run too), and a completed
 * run's result must not be overwritten.
 */
export async function completeOrphanCheckRun(
  octokit: GitHubOctokit,
  run: { owner: string; repo: string; checkRunId: number },
  result: CheckResult,
  now: Date,
): Promise<SweepOutcome> {
  const { data } = await callGitHub({ kind: "read", doing: "reading a check run left in progress" }, () =>
    octokit.rest.checks.get({ owner: run.owner, repo: run.repo, check_run_id: run.checkRunId }),
  );
  if (data.status === "completed") return "already completed";
  await callGitHub({ kind: "idempotent-write", doing: "completing a check run left in progress" }, () =>
    octokit.rest.checks.update({
      owner: run.owner,
      repo: run.repo,
      check_run_id: run.checkRunId,
      status: "completed",
      conclusion: result.conclusion,
      completed_at: now.toISOString(),
      output: result.output,
    }),
  );
  return "completed";
}
