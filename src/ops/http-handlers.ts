import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { RenderedMetrics } from "./metrics.js";

/**
 * Operations routes for Probot's `addHandler`, shaped like src/handlers/healthz.ts: each returns
 * false for a request that is not its own and otherwise answers it (asynchronously) and returns true.
 *
 * - `/readyz`: readiness, 200 while the app's dependencies (the job queue's store) answer, 503
 *   otherwise, so that a load balancer stops sending webhooks to a replica that cannot take them.
 * - `/metrics`: the Prometheus exposition, behind a bearer token when one is configured.
 */

export const READYZ_PATH = "/readyz";
export const METRICS_PATH = "/metrics";
/** How long /readyz waits for its check before answering 503. */
export const READINESS_TIMEOUT_MS = 2_000;

export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface ReadyzOptions {
  /** Defaults to {@link READINESS_TIMEOUT_MS}. */
  timeoutMs?: number;
}

export interface MetricsHandlerOptions {
  /**
   * When set (non-empty), /metrics answers 401 unless the request carries
   * `Authorization: Bearer <token>`. The caller passes METRICS_TOKEN here.
   */
  token?: string | undefined;
  /** Where a failure to render the metrics is logged. */
  log?: Logger | undefined;
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "").split("?")[0] ?? "";
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : JSON.stringify(body));
}

/** Writing the answer failed (the client went away): drop the connection rather than crash. */
function abandon(res: ServerResponse): void {
  if (!res.destroyed) res.destroy();
}

/** Resolves when `check` does, rejects when it fails or has not settled within `ms`. */
function checkWithin(check: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the readiness check did not finish within ${ms} ms`)), ms);
  });
  // Promise.resolve().then(check): a check that throws synchronously fails the same way.
  return Promise.race([Promise.resolve().then(check), timeout]).finally(() => clearTimeout(timer));
}

/** GET/HEAD /readyz: 200 `{"status":"ready"}`, or 503 `{"status":"unavailable","reason"}`. */
export function readyzHandler(check: () => Promise<void>, options: ReadyzOptions = {}): OpsHandler {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  return (req, res) => {
    if (pathOf(req) !== READYZ_PATH || (req.method !== "GET" && req.method !== "HEAD")) return false;
    checkWithin(check, timeoutMs)
      .then(
        () => sendJson(req, res, 200, { status: "ready" }),
        (error: unknown) => sendJson(req, res, 503, { status: "unavailable", reason: reasonOf(error) }),
      )
      .catch(() => abandon(res));
    return true;
  };
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Whether the request's bearer token is `token`, compared in constant time. */
function authorized(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? "");
  // Digests have one length whatever was sent, as timingSafeEqual needs.
  const same = timingSafeEqual(sha256(match?.[1] ?? ""), sha256(token));
  return match !== null && same;
}

/** GET /metrics: the Prometheus text exposition of `source`. */
export function metricsHandler(source: { render(): Promise<RenderedMetrics> }, options: MetricsHandlerOptions = {}): OpsHandler {
  const token = options.token ? options.token : undefined;
  return (req, res) => {
    if (pathOf(req) !== METRICS_PATH || req.method !== "GET") return false;
    if (token !== undefined && !authorized(req, token)) {
      res.writeHead(401, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "www-authenticate": 'Bearer realm="metrics"' });
      res.end("unauthorized\n");
      return true;
    }
    source
      .render()
      .then(
        ({ contentType, body }) => {
          res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
          res.end(body);
        },
        (error: unknown) => {
          options.log?.error({ err: error }, "could not render the metrics");
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
          res.end("metrics unavailable\n");
        },
      )
      .catch(() => abandon(res));
    return true;
  };
}
