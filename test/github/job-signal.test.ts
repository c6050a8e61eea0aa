import { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { abortWithJob, runWithAbortSignal } from "../../src/github/job-signal.js";
import { JobAbortedError } from "../../src/jobs/queue.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { privateKey, TestOctokit } from "../helpers/probot.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";

/**
 * A job's signal cancels the job's own requests (src/github/job-signal.ts). The installation token
 * is not the job's own: @octokit/auth-app shares one request for it among every caller of the
 * installation that asks while it is in flight, in this process (and caches the token an hour).
 */

let github: FakeGitHub | undefined;
afterEach(() => {
  github?.stop();
  github = undefined;
});

describe("a job's signal and the installation token", () => {
  it("a superseded job stops waiting for the token without failing the other job that waits for the same token", async () => {
    const fake = (github = new FakeGitHub());
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const token = fake.example("POST", "/app/installations/{installation_id}/access_tokens", 201) as Record<string, unknown>;
    // One token request: the second job joins the first one's.
    fake.on("POST", `/app/installations/${INSTALLATION_ID}/access_tokens`, { status: 201, body: { ...token, token: "ghs_shared" }, wait: held });
    fake.on("GET", "/repos/Codertocat/Hello-World/pulls/2/files", { status: 200, body: [] });
    const app = new Probot({ appId: 123, privateKey, Octokit: TestOctokit });
    const [first, second] = [abortWithJob(await app.auth(INSTALLATION_ID)), abortWithJob(await app.auth(INSTALLATION_ID))];
    const read = (octokit: typeof first, signal: AbortSignal) =>
      runWithAbortSignal(signal, () =>
        octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: "Codertocat", repo: "Hello-World", pull_number: 2 }),
      );

    const superseded = new AbortController();
    const older = read(first, superseded.signal);
    older.catch(() => undefined);
    await requested(fake, "apps/create-installation-access-token");
    const newer = read(second, new AbortController().signal);
    newer.catch(() => undefined);
    // The newer job's request reaches the token's (a few turns of the event loop, no I/O), then the older job is superseded.
    await new Promise((resolve) => setTimeout(resolve, 50));
    superseded.abort(new JobAbortedError("superseded"));

    // The superseded job stops at once, with its own reason…
    await expect(older).rejects.toBeInstanceOf(JobAbortedError);
    // …and the token request it started goes on for the newer job, which reads with it.
    answer();
    const { status } = await newer;
    expect(status).toBe(200);
    fake.assertDone();
    expect(fake.requestsTo("apps/create-installation-access-token")).toHaveLength(1);
    expect(fake.requestsTo("pulls/list-files")).toHaveLength(1);
  });
});

async function requested(fake: FakeGitHub, operationId: string): Promise<void> {
  while (fake.requestsTo(operationId).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}
