import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import { createEmbeddedQueue, type EmbeddedJobQueue } from "../../src/jobs/embedded-queue.js";
import { metrics } from "../../src/ops/metrics.js";
import { waitFor } from "../jobs/queue-contract.js";
import type { FakeGitHub, RecordedRequest } from "./fake-github.js";
import type { captureLogs } from "./probot.js";
import { createTestProbot, type TestProbot } from "./probot.js";
import type { VirtualClock } from "./virtual-clock.js";

type TestProbotLog = ReturnType<typeof captureLogs>["log"];

/**
 * The fault suite's harness (issue 19): the app on its embedded queue against the fake GitHub
 * with faults injected per request, counting what GitHub ends up holding. Per scenario: lost (no
 * review where one is due), duplicated (more than one review or check run for the head), stuck (a
 * check run of ours left in progress, or none at all). Octokit's retry plugin is ON, as in production: it resends
 * any 5xx unless told not to, which is what posted reviews twice. Its pauses are zero, and the
 * queue runs on a virtual clock, so nothing waits for real time.
 */

/** Probot's Octokit with its retry plugin on (no pause between its attempts) and throttling off. */
export const RetryingOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { retryAfterBaseValue: 0 },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

export interface Counts {
  lost: number;
  duplicated: number;
  stuck: number;
}

/** What GitHub holds for the head after the jobs settled: every POST the fake took (not refused) was stored. */
export function counts(fake: FakeGitHub): Counts {
  const stored = (operation: string) => fake.requestsTo(operation).filter((r) => !r.refused);
  const reviews = stored("pulls/create-review").length;
  const created = stored("checks/create").length;
  const completed = new Set(
    fake
      .requestsTo("checks/update")
      .filter((r) => !r.refused && (r.body as { status?: string }).status === "completed")
      .map((r) => r.path.split("/").pop()),
  );
  // A review job creates its check run completed (issue 19 item 5): nothing left to complete.
  if (stored("checks/create").some((r) => (r.body as { status?: string }).status === "completed")) completed.add("7");
  // The fake gives every created run id 7: a run is stuck when none of its completions came. No
  // check run at all is stuck too: a review job creates its run at its end (issue 19 item 5), and
  // a required check that never appears holds the pull request as one left in progress does.
  const stuck = created === 0 ? 1 : Math.max(0, Math.min(created, 1) - completed.size) + Math.max(0, created - 1);
  return { lost: reviews === 0 ? 1 : 0, duplicated: Math.max(0, reviews - 1) + Math.max(0, created - 1), stuck };
}

/** GitHub's review as the list endpoint gives it, from what the app posted. */
export function listedReview(fake: FakeGitHub, posted: RecordedRequest, id: number): Record<string, unknown> {
  const example = fake.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200) as Array<Record<string, unknown>>;
  const first = example[0] ?? {};
  const body = posted.body as { body?: string; commit_id?: string };
  return { ...first, id, body: body.body ?? "", commit_id: body.commit_id, user: { ...(first.user as object), login: "data-engineer[bot]", type: "Bot" } };
}

/** Starts apps on embedded queues in temporary data folders; `teardown` stops them and removes the folders. */
export class FaultHarness {
  private readonly apps: TestProbot[] = [];
  private readonly dirs: string[] = [];

  /** An app on a new data folder, or on `dataDir` (a restart after `kill`). */
  async start(clock: VirtualClock, log: TestProbotLog, dataDir?: string): Promise<{ app: TestProbot; queue: EmbeddedJobQueue; dataDir: string }> {
    if (dataDir === undefined) {
      dataDir = mkdtempSync(join(tmpdir(), "de-faults-"));
      this.dirs.push(dataDir);
    }
    const queue = createEmbeddedQueue({ dataDir, clock, settings: { maxAttempts: 5 } });
    const app = await createTestProbot({ jobs: queue, Octokit: RetryingOctokit, log });
    this.apps.push(app);
    return { app, queue, dataDir };
  }

  /**
   * What SIGKILL leaves of an app, in process: its queue's file is closed as it stands (a running
   * job stays "running", nothing is settled or re-queued) and whatever the app still does writes
   * nothing more to it. The next `start` on the same folder recovers it as after a kill.
   */
  async kill(app: TestProbot): Promise<void> {
    await app.jobs.close();
  }

  async teardown(): Promise<void> {
    for (const app of this.apps.splice(0)) {
      await app.jobs.stop(1000);
      await app.jobs.close();
    }
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Waits for the webhook handler to hand its job over (it logs "review queued" once the job is
 * stored), then lets the queue's clock jump to each retry and waits until every job and hook has
 * settled.
 */
export async function settle(queue: EmbeddedJobQueue, clock: VirtualClock, logs: ReturnType<typeof captureLogs>): Promise<void> {
  await waitFor("the handler to release the job", () => logs.records.some((r) => r.msg === "review queued"), Number.POSITIVE_INFINITY);
  clock.runFreely();
  await queue.whenIdle();
}

/** The value of `github_ambiguous_writes_total` for one decision. */
export async function ambiguousCount(decision: string): Promise<number> {
  const text = (await metrics.render()).body;
  const line = text.split("\n").find((l) => l.startsWith(`data_engineer_github_ambiguous_writes_total{decision="${decision}"}`));
  return line ? Number(line.split(" ").pop()) : 0;
}
