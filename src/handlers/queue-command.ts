import type { Logger } from "pino";
import type { CommandJobPayload } from "../jobs/job-payloads.js";
import type { Intake, JobSink } from "../jobs/job-sink.js";

/**
 * What a comment handler needs to queue a command. In a module of its own so that the two comment
 * handlers and commands.ts (which registers them) do not import each other.
 */
export interface CommandJobs {
  jobs: JobSink;
  intake: Intake;
}

/** Queues a command for the worker (which checks permissions and rate limits, then runs it). */
export async function queueCommand(
  deps: CommandJobs,
  delivery: { id: string; installationId: number | undefined },
  payload: CommandJobPayload,
  log: Logger,
): Promise<void> {
  deps.intake.assertOpen();
  const { enqueued } = await deps.jobs.enqueue({
    id: delivery.id,
    kind: "command",
    ...(delivery.installationId !== undefined ? { installationId: delivery.installationId } : {}),
    payload,
  });
  log.info({ commentId: payload.comment.id }, enqueued ? "command queued" : "delivery seen before; command not queued again");
}
