/**
 * When a `superseded` or `deadLetter` call fails, both queues call it again on a schedule instead
 * of waiting for the next start: GitHub down for a few minutes fails the hook (it completes a check
 * run, or runs the review once more), and nobody restarts the server for that. A hook that throws a
 * PermanentJobError is dropped (the installation is gone; another call would fail the same way).
 */

/** How long a failed hook waits before it is called again: one GitHub request or two a minute per parked job. */
export const HOOK_RETRY_MS = 60_000;

/**
 * How long after its job's enqueue a failed hook is still called again. A dead letter's review
 * that GitHub has not let through in a day is given up: its check run is then left to the
 * in-progress sweeper's deadline, and the pull request's next push is reviewed as usual.
 */
export const HOOK_RETRY_FOR_MS = 24 * 60 * 60_000;
