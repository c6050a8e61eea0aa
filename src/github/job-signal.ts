import { AsyncLocalStorage } from "node:async_hooks";
import type { Octokit } from "@octokit/rest";
import { isInstallationTokenRequest } from "./installation-token-request.js";

/**
 * The abort signal of the job whose work is running, carried by the async context rather than by
 * a parameter: the job queue runs each job inside `runWithAbortSignal(signal, …)`, and every
 * GitHub request the job makes, wherever it is made (a read-back, a page of a listing), sees the
 * signal without each client passing it on (the installation token's request excepted: see
 * abortWithJob).
 *
 * Why it must reach Octokit itself: an installation's writes go a second apart (./write-spacing.ts),
 * so a review POST can wait for its turn for seconds after the job last looked at its
 * signal. A newer push that supersedes the job meanwhile must cancel the waiting request, or the
 * review lands on an outdated commit. Octokit hands `request.signal` to fetch: a request whose
 * signal is aborted before its turn comes is never sent, one in flight is cut.
 */
const scope = new AsyncLocalStorage<AbortSignal | undefined>();

/** Runs `work` with `signal` as the current job's signal (`undefined`: work of no job, such as a superseded hook). */
export function runWithAbortSignal<T>(signal: AbortSignal | undefined, work: () => T): T {
  return scope.run(signal, work);
}

/** The signal of the job whose work this is, if any. */
export function currentAbortSignal(): AbortSignal | undefined {
  return scope.getStore();
}

type HookedOctokit = Pick<Octokit, "hook">;

/**
 * Makes every request of `octokit` made within a job carry the job's signal and settle as soon as
 * it is aborted (with the signal's reason: a JobAbortedError), even while the request still waits
 * for its write turn. Registered on the instance, after the class's plugins, so it runs before
 * the write spacing (./write-spacing.ts) and Probot's throttling hold the request back.
 */
export function abortWithJob<O extends HookedOctokit>(octokit: O): O {
  octokit.hook.wrap("request", async (request, options) => {
    const signal = currentAbortSignal();
    // The installation token's request is not one job's: @octokit/auth-app makes one request for
    // every caller that asks for the token while it is in flight. Cut with a superseded job, it
    // would fail the other jobs that wait for it with that job's abort (they then completed their
    // check runs as failed, their reviews lost). The job still stops waiting at once: its own
    // request that needed the token is cut.
    if (!signal || isInstallationTokenRequest(String(options.url))) return request(options);
    signal.throwIfAborted();
    const own = options.request?.signal;
    options.request = { ...options.request, signal: own ? AbortSignal.any([own, signal]) : signal };
    return untilAborted(Promise.resolve(request(options)), signal);
  });
  return octokit;
}

/** Settles with `work`, or rejects with the signal's reason as soon as it is aborted. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        // Octokit's failure as it is (a RequestError, or whatever a hook threw).
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(error);
      },
    );
  });
}
