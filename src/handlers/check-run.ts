import type { Logger } from "pino";
import type { Context, Probot } from "probot";
import { appIdResolver } from "../github/app-identity.js";
import type { RereviewJobPayload } from "../jobs/job-payloads.js";
import type { Intake, JobSink } from "../jobs/job-sink.js";
import { CHECK_NAME, REREVIEW_ACTION } from "../report/check-output.js";
import { parseCheckIdentity } from "../review/check-identity.js";

/**
 * Re-runs from the checks UI: **Re-run** on the `data-engineer` check, **Re-run all checks** on
 * its suite, and the check's own **Re-review** button. Each reviews the pull request's current
 * head again, as asked for (the automatic review settings do not apply); the new check run on
 * the head reports it. The handler only checks that the check is ours and queues the review; if
 * that fails it throws, so the webhook is answered with an error and GitHub can redeliver it.
 */

export const CHECK_RUN_EVENTS = ["check_run.rerequested", "check_run.requested_action"] as const;
export const CHECK_SUITE_EVENTS = ["check_suite.rerequested"] as const;

type CheckRunContext = Context<(typeof CHECK_RUN_EVENTS)[number]>;
type CheckSuiteContext = Context<(typeof CHECK_SUITE_EVENTS)[number]>;
type AnyCheckContext = CheckRunContext | CheckSuiteContext;

/** This app's id, or undefined when Probot runs with a plain token (no app credentials). */
type AppIdSource = (context: AnyCheckContext) => Promise<number | undefined>;

function appIdFromCredentials(): AppIdSource {
  const resolve = appIdResolver();
  return (context) => resolve(context.octokit);
}

/**
 * Whether the check run or suite belongs to this app. GitHub sends these actions only to the app
 * that created the check, so when the app id cannot be known (token authentication) that is trusted.
 */
async function isOurs(context: AnyCheckContext, appIdOf: AppIdSource, appId: number | null | undefined, log: Logger): Promise<boolean> {
  if (appId === null || appId === undefined) return false;
  const ours = await appIdOf(context);
  if (ours === undefined) {
    log.debug({ checkAppId: appId }, "own app id unknown; trusting GitHub to send re-runs only to the check's app");
    return true;
  }
  return ours === appId;
}

interface Target {
  /** The job's id: the delivery id, with the pull request's number when one delivery names several. */
  jobId: string;
  installationId: number | undefined;
  repositoryId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  /** The commit whose check was re-run; the pull request's head may have moved on since. */
  requestedSha: string;
}

/** Queues a review of the pull request's current head, as asked for (the job reads the head). */
async function enqueueRereview(jobs: JobSink, target: Target, log: Logger): Promise<void> {
  const payload: RereviewJobPayload = { owner: target.owner, repo: target.repo, pullNumber: target.pullNumber, requestedSha: target.requestedSha };
  // The payloads' module holds their zod schemas: imported on the first webhook, not before /readyz (issue 20).
  const { pullRequestKey } = await import("../jobs/job-payloads.js");
  const { enqueued } = await jobs.enqueue({
    id: target.jobId,
    kind: "rereview",
    ...(target.installationId !== undefined ? { installationId: target.installationId } : {}),
    coalesceKey: pullRequestKey(target.repositoryId, target.pullNumber),
    payload,
  });
  log.info({ pr: target.pullNumber, jobId: target.jobId }, enqueued ? "review queued again" : "delivery seen before; nothing queued");
}

export async function handleCheckRun(context: CheckRunContext, deps: CheckJobs, appIdOf: AppIdSource): Promise<void> {
  deps.intake.assertOpen();
  const { check_run: run, repository } = context.payload;
  const log = context.log.child({
    deliveryId: context.id,
    repo: repository.full_name,
    event: `check_run.${context.payload.action}`,
    checkRunId: run.id,
  });
  try {
    if (context.payload.action === "requested_action") {
      const identifier = context.payload.requested_action?.identifier;
      if (identifier !== REREVIEW_ACTION.identifier) {
        log.debug({ identifier }, "not a data-engineer action; ignored");
        return;
      }
    }
    if (run.name !== CHECK_NAME || !(await isOurs(context, appIdOf, run.app?.id, log))) {
      log.debug({ checkName: run.name, checkAppId: run.app?.id }, "not a data-engineer check run; ignored");
      return;
    }
    const pullNumber = parseCheckIdentity(run.external_id)?.pullNumber ?? run.pull_requests.find((pr) => pr.base.repo.id === repository.id)?.number;
    if (pullNumber === undefined) {
      log.info({ headSha: run.head_sha }, "the check run names no pull request (a commit without an open pull request); nothing to review");
      return;
    }
    log.info({ pr: pullNumber }, "review asked for from the checks UI");
    await enqueueRereview(
      deps.jobs,
      {
        jobId: context.id,
        installationId: context.payload.installation?.id,
        repositoryId: repository.id,
        owner: repository.owner.login,
        repo: repository.name,
        pullNumber,
        requestedSha: run.head_sha,
      },
      log,
    );
  } catch (error) {
    log.error({ err: error }, "check run event failed");
    throw error;
  }
}

export async function handleCheckSuite(context: CheckSuiteContext, deps: CheckJobs, appIdOf: AppIdSource): Promise<void> {
  deps.intake.assertOpen();
  const { check_suite: suite, repository } = context.payload;
  const log = context.log.child({
    deliveryId: context.id,
    repo: repository.full_name,
    event: `check_suite.${context.payload.action}`,
    checkSuiteId: suite.id,
  });
  try {
    if (!(await isOurs(context, appIdOf, suite.app?.id, log))) {
      log.debug({ checkAppId: suite.app?.id }, "not data-engineer's check suite; ignored");
      return;
    }
    const numbers = [...new Set(suite.pull_requests.filter((pr) => pr.base.repo.id === repository.id).map((pr) => pr.number))];
    if (numbers.length === 0) {
      log.info({ headSha: suite.head_sha }, "the check suite names no pull request (a commit without an open pull request); nothing to review");
      return;
    }
    log.info({ prs: numbers }, "review asked for from the checks UI");
    for (const pullNumber of numbers) {
      await enqueueRereview(
        deps.jobs,
        {
          jobId: numbers.length === 1 ? context.id : `${context.id}:${pullNumber}`,
          installationId: context.payload.installation?.id,
          repositoryId: repository.id,
          owner: repository.owner.login,
          repo: repository.name,
          pullNumber,
          requestedSha: suite.head_sha,
        },
        log,
      );
    }
  } catch (error) {
    log.error({ err: error }, "check suite event failed");
    throw error;
  }
}

export interface CheckJobs {
  jobs: JobSink;
  intake: Intake;
}

export function registerCheckRunHandlers(app: Probot, deps: CheckJobs): void {
  const appIdOf = appIdFromCredentials();
  app.on([...CHECK_RUN_EVENTS], (context) => handleCheckRun(context, deps, appIdOf));
  app.on([...CHECK_SUITE_EVENTS], (context) => handleCheckSuite(context, deps, appIdOf));
}
