import type { Logger } from "pino";
import { GitHubApiError } from "../errors.js";
import { createOnce } from "./ambiguous-write.js";
import { describeGitHubFailure } from "./errors.js";
import { currentAbortSignal } from "./job-signal.js";
import { realClock, withRateLimitRetry, type Clock } from "./rate-limit.js";

/**
 * Every request src/github/ sends to GitHub goes through `callGitHub`, which applies three rules
 * in one place. Each call says what kind of request it is, because the rules depend on it.
 *
 * 1. Errors. Whatever the request throws becomes a GitHubApiError (src/errors.ts: the fault is
 *    GitHub's) through describeGitHubFailure (./errors.ts): "GitHub answered HTTP <status> while
 *    <doing> (<METHOD> <path>): <GitHub's message>", the status kept and the Octokit error as its
 *    cause; "GitHub could not be reached" when no answer came (status 0); "Request to GitHub failed
 *    while <doing>" for anything that is no HTTP error (a dropped connection). A GitHubApiError is
 *    passed on unchanged. The job queue decides from that status whether the whole job is worth
 *    another attempt (src/jobs/transient.ts); the caller decides what a 403 or a 422 means for
 *    its own step (a refused check run falls back to a commit status, a review whose inline
 *    comments are refused is posted again with them in its body), always on the mapped error.
 *
 * 2. Not found. A 404 is an error unless the call declares `notFound`:
 *    - `"absent"`: the 404 is the answer "there is no such thing" and the call returns undefined.
 *      That holds where we ask for something that may rightly not exist: a path at a commit (the
 *      contents API answers 404 for a missing file or folder), the configuration file (absent means
 *      "look further, then use the defaults"), a label to remove (absent is the state we wanted).
 *    - `{ error }`: a 404 that needs its own sentence (the archive of a commit we were told exists).
 *    Everywhere else a 404 is a failure: the repository, pull request or check run we are working
 *    on has gone, or the token may not see it (GitHub answers 404, not 403, to hide private things).
 *
 * 3. Resending on rate limits (./rate-limit.ts). A write that GitHub refuses for a rate limit
 *    (403 or 429 naming a primary or secondary limit) is sent again after the wait GitHub asks
 *    for, at most three attempts and five minutes a wait. That holds for every write, creates
 *    included: a rate-limited request was refused before it was carried out, so sending it again
 *    cannot do it twice. Probot's throttling plugin only logs secondary limits, and writes (a
 *    review posted in bursts, comments) are what trips them. Reads are not resent here: a read
 *    fails before anything is posted, and the job is retried as a whole (src/jobs/transient.ts).
 *
 * 4. Writes whose answer was lost. A create is never resent blindly after a 5xx, a dropped
 *    connection or a timeout: GitHub may have stored it before the answer was lost (a review
 *    posted twice duplicates every inline comment; a check run created twice leaves an orphan in
 *    progress). Octokit's retry plugin resends any 5xx, so a create is sent with
 *    `request: { retries: 0 }` (the `options` handed to `request`, which it must pass on); then
 *    the call's `readBack` looks for what the attempt may have made, adopts it when found, and
 *    only otherwise sends again (./ambiguous-write.ts). A create without a read-back fails on an
 *    ambiguous answer and its job decides. Idempotent writes (a check-run PATCH with the full
 *    state, a label, a commit status) and reads keep Octokit's own retry of 5xx: sending them
 *    twice leaves the same state as once.
 *
 * 5. Superseded jobs send nothing. Within a job (./job-signal.ts) every attempt first looks at the
 *    job's abort signal, so a rate-limit wait or a read-back that ends after a newer push replaced
 *    the job sends no request; the request itself carries the signal into Octokit (the instance
 *    hook `abortWithJob`), which cancels it while it waits in the installation's write queue. An
 *    aborted call throws the signal's reason (a JobAbortedError), not a GitHub failure.
 */
export type GitHubCallKind =
  /** Asks and changes nothing. */
  | "read"
  /** Sending it twice leaves the same state as once: an update, a label, a reaction, a commit status. */
  | "idempotent-write"
  /** Each request adds something new: a check run, a review, a comment. */
  | "create";

export interface GitHubCall<T = unknown> {
  kind: GitHubCallKind;
  /** What we were doing, for the error: "listing the pull request's files". */
  doing: string;
  /** What a 404 means for this request (see above); without it a 404 is an error like any other. */
  notFound?: "absent" | { error: string };
  /** The clock the rate-limit waits use (tests inject one that does not wait). */
  clock?: Clock;
  /** For a create: what an attempt whose answer was lost may have made (rule 4); undefined when nothing. */
  readBack?: () => Promise<T | undefined>;
  /** Where ambiguous writes are logged (a logger carrying the delivery id). */
  log?: Logger;
  /**
   * The longest rate-limit wait made in place (rule 3); a longer one fails the call with the time
   * to try again on the error (GitHubApiError.retryAfterMs) for the job queue. Five minutes by default.
   */
  maxRateLimitWaitMs?: number;
}

/** Octokit request options `request` passes on to its Octokit call (`{ ...params, ...options }`). */
export interface GitHubRequestOptions {
  request?: { retries?: number };
}

/** A create must not be resent by Octokit's retry plugin (rule 4). */
const CREATE_OPTIONS: GitHubRequestOptions = Object.freeze({ request: Object.freeze({ retries: 0 }) });
const DEFAULT_OPTIONS: GitHubRequestOptions = Object.freeze({});

/** Sends `request` according to the kind's resend policy (rules 3 and 4). */
function resend<T>(call: GitHubCall<T>, request: (options: GitHubRequestOptions) => Promise<T>, clock: Clock): Promise<T> {
  switch (call.kind) {
    case "read":
      return request(DEFAULT_OPTIONS);
    case "idempotent-write":
      return withRateLimitRetry(() => request(DEFAULT_OPTIONS), clock, call.maxRateLimitWaitMs);
    case "create":
      return createOnce(() => withRateLimitRetry(() => request(CREATE_OPTIONS), clock, call.maxRateLimitWaitMs), {
        doing: call.doing,
        clock,
        ...(call.readBack ? { readBack: call.readBack } : {}),
        ...(call.log ? { log: call.log } : {}),
      });
  }
}

function statusOf(error: unknown): unknown {
  return (error as { status?: unknown } | null)?.status;
}

/**
 * One request to GitHub under the rules above. `request` makes the Octokit call and nothing else;
 * a create passes `options` on to it (rule 4).
 */
export async function callGitHub<T>(
  call: GitHubCall<T> & { notFound: "absent" },
  request: (options: GitHubRequestOptions) => Promise<T>,
): Promise<T | undefined>;
export async function callGitHub<T>(call: GitHubCall<T>, request: (options: GitHubRequestOptions) => Promise<T>): Promise<T>;
export async function callGitHub<T>(call: GitHubCall<T>, request: (options: GitHubRequestOptions) => Promise<T>): Promise<T | undefined> {
  const signal = currentAbortSignal();
  const guarded = (options: GitHubRequestOptions): Promise<T> => {
    signal?.throwIfAborted();
    return request(options);
  };
  try {
    return await resend(call, guarded, call.clock ?? realClock);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (call.notFound !== undefined && statusOf(error) === 404) {
      if (call.notFound === "absent") return undefined;
      throw new GitHubApiError(call.notFound.error, 404, { cause: error });
    }
    throw describeGitHubFailure(error, call.doing, (call.clock ?? realClock).now());
  }
}
