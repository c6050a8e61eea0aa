import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The app's Prometheus metrics, on a registry of their own (not prom-client's global one, which
 * libraries may fill). Callers use the typed methods below and never touch prom-client; no method
 * throws, whatever it is given, so counting never breaks the work being counted.
 *
 * Labels only take values from small fixed sets (job kinds and webhook events the code knows,
 * HTTP methods, status codes or classes) so that series stay few.
 */

export const METRIC_PREFIX = "data_engineer_";

/** How a job's run ended. */
export type JobOutcome = "done" | "retry" | "dead" | "superseded" | "requeued";
/** How one Gemini attempt ended: answered, failed, or abandoned because the caller gave up. */
export type GeminiOutcome = "ok" | "error" | "cancelled";
/** Why a GitHub request was made again: a rate limit, or a create whose first answer was lost (5xx, network) and that was not there. */
export type GitHubRetryReason = "rate_limit" | "server_error" | "network";
/** What was decided about a create whose outcome was unknown (ambiguous-write.ts): "adopted" is a duplicate avoided. */
export type AmbiguousWriteDecision = "adopted" | "resent" | "not resent" | "unresolved";
/** Why a job's run failed and will be retried (src/jobs/failure-cause.ts). */
export type JobRetryCause = "rate_limit" | "server_error" | "network" | "other";
/**
 * What a dead letter's call did: "reviewed" (the review ran once more and completed its check),
 * "completed" (the check run completed with the failure), "retry_scheduled" (GitHub still failing:
 * called again later), "dropped" (nothing more can be done: the installation is gone, or a failure
 * another call cannot fix).
 */
export type DeadLetterOutcome = "reviewed" | "completed" | "retry_scheduled" | "dropped";
/** A duplicate that was not posted: a create whose lost answer was adopted, or a rerun that found its review posted. */
export type DuplicateAvoided = "create_adopted" | "review_rerun";
/** What was done with a check run of ours found in progress past the deadline with no live job. */
export type OrphanAction = "completed";
/** What the queue says it holds, read at scrape time. */
/** Jobs per state, as the queue counts them (every state of the queue port). */
export type JobCountsSource = () => Promise<Readonly<Record<string, number>>>;

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

export interface Metrics {
  /**
   * Where `data_engineer_jobs{state}` comes from (normally `() => queue.counts()`); read at each
   * scrape. When it throws or takes too long, the scrape still succeeds with `queue_up 0` and no
   * job counts. `undefined` unregisters it.
   */
  setJobCounts(source: JobCountsSource | undefined): void;
  /** A job was enqueued (`jobs_enqueued_total`). */
  jobEnqueued(kind: string): void;
  /** An enqueue was refused as a duplicate delivery (`jobs_duplicate_total`). */
  jobDuplicate(kind: string): void;
  /** A run failed and the job will run again (`jobs_retried_total`). */
  jobRetried(kind: string): void;
  /** A job was dead-lettered (`jobs_dead_total`). */
  jobDead(kind: string): void;
  /** A job was replaced by a newer one, whether it had started or not (`jobs_superseded_total`). */
  jobSuperseded(kind: string): void;
  /** A run failed for `cause` and the job will run again (`job_retries_total{cause}`). */
  jobRetryCause(cause: JobRetryCause): void;
  /** A dead letter's call ended (`dead_letter_calls_total{outcome}`). */
  deadLetterCall(outcome: DeadLetterOutcome): void;
  /** A job was dropped without running: its installation is gone (`jobs_dropped_total{reason}`). */
  jobDropped(reason: "installation_gone"): void;
  /** A duplicate was not posted (`duplicates_avoided_total{what}`); adopted creates are counted here too. */
  duplicateAvoided(what: DuplicateAvoided): void;
  /** A check run of ours left in progress was swept (`orphan_check_runs_swept_total{action}`). */
  orphanSwept(action: OrphanAction): void;
  /**
   * A run ended after `seconds` (`job_duration_seconds{kind,outcome}`). Only the histogram: the
   * counters above are counted by their own calls.
   */
  jobFinished(kind: string, outcome: JobOutcome, seconds: number): void;
  /** A webhook delivery arrived (`webhooks_received_total{event}`). */
  webhook(event: string): void;
  /**
   * A GitHub API request ended: `status` is the HTTP status, `undefined` when no answer came.
   * Counts `github_requests_total{method,status}` by status class and, for statuses from 400 up
   * and for requests without an answer, `github_errors_total{status}`.
   */
  githubResponse(method: string, status: number | undefined): void;
  /** A GitHub request is waited for and made again (`github_retries_total{reason}`). */
  githubRetry(reason: GitHubRetryReason): void;
  /** A create ended without a clear answer, and what was decided (`github_ambiguous_writes_total{decision}`). */
  githubAmbiguousWrite(decision: AmbiguousWriteDecision): void;
  /**
   * One Gemini attempt ended (`gemini_requests_total{outcome}`). For `"error"`, `failure` is what
   * the attempt threw: `gemini_errors_total{status}` counts it by HTTP status, or as "timeout",
   * "network" or "other" when the service gave no status.
   */
  geminiAttempt(outcome: GeminiOutcome, failure?: unknown): void;
  /** A failed Gemini attempt is made again (`gemini_retries_total`). */
  geminiRetry(): void;
  /** Tokens the agent's model calls used (`agent_tokens_total{direction}`). */
  agentTokens(input: number, output: number): void;
  /** The Prometheus text exposition of every metric, default process metrics included. */
  render(): Promise<RenderedMetrics>;
}

export interface MetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop, GC) under the same prefix. Default true. */
  defaultMetrics?: boolean;
  /** How long a scrape waits for the job-count source before reporting `queue_up 0`. Default 5 s. */
  jobCountsTimeoutMs?: number;
}

export const DEFAULT_JOB_COUNTS_TIMEOUT_MS = 5_000;

/** Seconds; a review runs from well under a second (nothing to do) to minutes (the agent). */
export const JOB_DURATION_BUCKETS: readonly number[] = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

const HTTP_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** GET, POST, …; anything else as OTHER. */
export function methodLabel(method: string): string {
  const upper = method.toUpperCase();
  return HTTP_METHODS.has(upper) ? upper : "OTHER";
}

/** "2xx", "4xx", …; "network" when no answer came. */
export function statusClass(status: number | undefined): string {
  if (status === undefined || !Number.isInteger(status) || status < 100 || status > 599) return "network";
  return `${Math.floor(status / 100)}xx`;
}

/** The label of a failed attempt: its HTTP status, else what kind of failure it was. */
export function failureStatusLabel(failure: unknown): string {
  if (typeof failure === "object" && failure !== null) {
    const status = (failure as { status?: unknown }).status;
    if (typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 599) return String(status);
  }
  if (failure instanceof Error) {
    if (failure.name === "AbortError" || failure.name === "TimeoutError") return "timeout";
    if (failure instanceof TypeError) return "network";
  }
  return "other";
}

function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Rejects after `ms`, leaving no timer behind either way. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the job counts took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;
  const timeoutMs = options.jobCountsTimeoutMs ?? DEFAULT_JOB_COUNTS_TIMEOUT_MS;
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  let source: JobCountsSource | undefined;
  /** One read of the source per scrape, shared by the two gauges that report it. */
  let reading: Promise<Readonly<Record<string, number>> | undefined> | undefined;
  const readJobCounts = (): Promise<Readonly<Record<string, number>> | undefined> => {
    const current = source;
    if (current === undefined) return Promise.resolve(undefined);
    // Promise.resolve().then: a source that throws synchronously fails like one that rejects.
    reading ??= withTimeout(Promise.resolve().then(current), timeoutMs)
      .then(
        (counts) => counts,
        () => undefined,
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  const jobs = new Gauge({
    name: name("jobs"),
    help: "Jobs in the queue by state (finished ones within the retention), read at scrape time.",
    labelNames: ["state"] as const,
    registers: [registry],
    collect: async () => {
      const counts = await readJobCounts();
      jobs.reset();
      if (counts === undefined) return;
      for (const [state, n] of Object.entries(counts)) jobs.set({ state }, count(n));
    },
  });
  const queueUp = new Gauge({
    name: name("queue_up"),
    help: "1 when the job queue's store answered the last scrape, else 0.",
    registers: [registry],
    collect: async () => {
      if (source === undefined) {
        queueUp.set(0);
        return;
      }
      queueUp.set((await readJobCounts()) === undefined ? 0 : 1);
    },
  });
  const jobDuration = new Histogram({
    name: name("job_duration_seconds"),
    help: "How long job runs took, by kind and how they ended.",
    labelNames: ["kind", "outcome"] as const,
    buckets: [...JOB_DURATION_BUCKETS],
    registers: [registry],
  });
  const kindCounter = (suffix: string, help: string) => new Counter({ name: name(suffix), help, labelNames: ["kind"] as const, registers: [registry] });
  const enqueued = kindCounter("jobs_enqueued_total", "Jobs enqueued.");
  const duplicate = kindCounter("jobs_duplicate_total", "Enqueues refused because the job id (the delivery) was known already.");
  const retried = kindCounter("jobs_retried_total", "Job runs that failed and will be retried.");
  const dead = kindCounter("jobs_dead_total", "Jobs dead-lettered after their last failed attempt.");
  const superseded = kindCounter("jobs_superseded_total", "Jobs replaced by a newer job for the same pull request.");
  const causeCounter = new Counter({
    name: name("job_retries_total"),
    help: "Job runs that failed and will be retried, by cause (rate_limit, server_error, network, other).",
    labelNames: ["cause"] as const,
    registers: [registry],
  });
  const deadLetterCalls = new Counter({
    name: name("dead_letter_calls_total"),
    help: "Calls of a dead letter (each try: the first, and those retried on a schedule while GitHub fails), by outcome.",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: name("jobs_dropped_total"),
    help: "Jobs dropped without running, by reason (installation_gone).",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const duplicatesAvoided = new Counter({
    name: name("duplicates_avoided_total"),
    help: "Posts not made because they were there already: a create whose lost answer was adopted, a rerun that found its review posted.",
    labelNames: ["what"] as const,
    registers: [registry],
  });
  const orphansSwept = new Counter({
    name: name("orphan_check_runs_swept_total"),
    help: "Check runs of this app found in progress past the deadline with no live job, by what was done.",
    labelNames: ["action"] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: name("webhooks_received_total"),
    help: "Webhook deliveries received, by event.",
    labelNames: ["event"] as const,
    registers: [registry],
  });
  const githubRequests = new Counter({
    name: name("github_requests_total"),
    help: "GitHub API requests, by method and status class (network: no answer).",
    labelNames: ["method", "status"] as const,
    registers: [registry],
  });
  const githubErrors = new Counter({
    name: name("github_errors_total"),
    help: "GitHub API requests that failed, by HTTP status (network: no answer).",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  const githubRetries = new Counter({
    name: name("github_retries_total"),
    help: "GitHub API requests made again after a wait, by reason.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const ambiguousWrites = new Counter({
    name: name("github_ambiguous_writes_total"),
    help: "GitHub creates whose outcome was unknown (5xx, lost answer), by decision; adopted = a duplicate avoided.",
    labelNames: ["decision"] as const,
    registers: [registry],
  });
  const geminiRequests = new Counter({
    name: name("gemini_requests_total"),
    help: "Gemini attempts, by outcome (ok, error, cancelled).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const geminiErrors = new Counter({
    name: name("gemini_errors_total"),
    help: "Failed Gemini attempts, by HTTP status (timeout, network or other without one).",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  const geminiRetries = new Counter({
    name: name("gemini_retries_total"),
    help: "Failed Gemini attempts made again.",
    registers: [registry],
  });
  const agentTokens = new Counter({
    name: name("agent_tokens_total"),
    help: "Tokens used by the agent's model calls, by direction (input, output).",
    labelNames: ["direction"] as const,
    registers: [registry],
  });

  return {
    setJobCounts(next) {
      source = next;
    },
    jobEnqueued: (kind) => enqueued.inc({ kind }),
    jobDuplicate: (kind) => duplicate.inc({ kind }),
    jobRetried: (kind) => retried.inc({ kind }),
    jobDead: (kind) => dead.inc({ kind }),
    jobSuperseded: (kind) => superseded.inc({ kind }),
    jobRetryCause: (cause) => causeCounter.inc({ cause }),
    deadLetterCall: (outcome) => deadLetterCalls.inc({ outcome }),
    jobDropped: (reason) => dropped.inc({ reason }),
    duplicateAvoided: (what) => duplicatesAvoided.inc({ what }),
    orphanSwept: (action) => orphansSwept.inc({ action }),
    jobFinished(kind, outcome, seconds) {
      jobDuration.observe({ kind, outcome }, count(seconds));
    },
    webhook: (event) => webhooks.inc({ event }),
    githubResponse(method, status) {
      githubRequests.inc({ method: methodLabel(method), status: statusClass(status) });
      if (status === undefined || statusClass(status) === "network") githubErrors.inc({ status: "network" });
      else if (status >= 400) githubErrors.inc({ status: String(status) });
    },
    githubRetry: (reason) => githubRetries.inc({ reason }),
    githubAmbiguousWrite(decision) {
      ambiguousWrites.inc({ decision });
      if (decision === "adopted") duplicatesAvoided.inc({ what: "create_adopted" });
    },
    geminiAttempt(outcome, failure) {
      geminiRequests.inc({ outcome });
      if (outcome === "error") geminiErrors.inc({ status: failureStatusLabel(failure) });
    },
    geminiRetry: () => geminiRetries.inc(),
    agentTokens(input, output) {
      agentTokens.inc({ direction: "input" }, count(input));
      agentTokens.inc({ direction: "output" }, count(output));
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** The process's metrics, which /metrics serves. */
export const metrics: Metrics = createMetrics();
