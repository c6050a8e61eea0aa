import type { JobQueue } from "./queue.js";

/** What webhook handlers need of the queue: they enqueue, the worker does the rest. */
export type JobSink = Pick<JobQueue, "enqueue">;

/**
 * Refuses work once the server is about to close its job store (server.ts `shutdown`: after the
 * running jobs' grace period, while webhooks are still stored): the handler throws, Probot answers
 * the webhook with an error, and GitHub lists the delivery as failed, so it can be redelivered to a
 * replica that is up instead of being lost in one that is going away.
 */
export class Intake {
  private closedReason: string | undefined;

  close(reason: string): void {
    this.closedReason = reason;
  }

  get open(): boolean {
    return this.closedReason === undefined;
  }

  assertOpen(): void {
    if (this.closedReason !== undefined) throw new IntakeClosedError(this.closedReason);
  }
}

export class IntakeClosedError extends Error {
  constructor(reason: string) {
    super(`not taking webhooks: ${reason}`);
    this.name = "IntakeClosedError";
  }
}
