import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { OpsHandler } from "./http-handlers.js";

/**
 * Webhook bodies are refused before anyone reads them when they are larger than GitHub ever sends
 * (25 MB: GitHub caps payloads there and drops larger ones), or when they give no length.
 * @octokit/webhooks reads a whole body into memory before it checks the signature, so without
 * this one unauthenticated client could make the process hold gigabytes.
 *
 * Probot's webhook middleware is the first request listener of its HTTP server and no hook runs
 * before it; Node's `http.server.request.start` diagnostics channel does, synchronously, before
 * any listener. There, an oversized request gets a path no listener reads the body for, and
 * `bodyRefusedHandler` (added with Probot's addHandler) answers it 413 (411 without a length)
 * and closes the connection. Node's parser never hands over more than Content-Length bytes, so a
 * request with an acceptable length cannot stream more than it declared.
 */

export const WEBHOOK_BODY_LIMIT_BYTES = 25 * 1024 * 1024;
const REFUSED_PATH = "/.data-engineer/webhook-body-refused";
const REFUSAL = Symbol("data-engineer webhook body refusal");

interface Refusal {
  status: 411 | 413;
  error: string;
}

type Refusable = IncomingMessage & { [REFUSAL]?: Refusal };

export interface WebhookBodyLimitOptions {
  /** Probot's webhook path (WEBHOOK_PATH, default /api/github/webhooks). */
  path: string;
  /** Whether a request came to our server (the channel is the process's, other servers share it). */
  isOurs(server: Server): boolean;
  limitBytes?: number;
}

export interface WebhookBodyLimit {
  /** Answers the requests the channel refused; add it with Probot's addHandler. */
  handler: OpsHandler;
  /** Stops watching requests. */
  close(): void;
}

export function limitWebhookBodies(options: WebhookBodyLimitOptions): WebhookBodyLimit {
  const limit = options.limitBytes ?? WEBHOOK_BODY_LIMIT_BYTES;
  const onStart = (message: unknown) => {
    const { request, server } = message as { request: Refusable; server: Server };
    if (!options.isOurs(server) || request.method !== "POST" || pathOf(request) !== options.path) return;
    const refusal = refusalOf(request, limit);
    if (refusal === undefined) return;
    request[REFUSAL] = refusal;
    request.url = REFUSED_PATH;
  };
  subscribe("http.server.request.start", onStart);
  const handler: OpsHandler = (req: Refusable, res: ServerResponse) => {
    const refusal = req[REFUSAL];
    if (refusal === undefined) return false;
    // The body is never read: the connection goes once the answer is out.
    res.shouldKeepAlive = false;
    res.writeHead(refusal.status, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ error: refusal.error }), () => req.socket.destroy());
    return true;
  };
  return { handler, close: () => unsubscribe("http.server.request.start", onStart) };
}

function refusalOf(request: IncomingMessage, limit: number): Refusal | undefined {
  const declared = request.headers["content-length"];
  if (declared === undefined) return { status: 411, error: "a webhook delivery must give its Content-Length" };
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) return { status: 411, error: "the Content-Length is not a number" };
  if (length > limit) return { status: 413, error: `webhook bodies over ${limit} bytes are refused` };
  return undefined;
}

function pathOf(request: IncomingMessage): string {
  const path = (request.url ?? "").split("?")[0] ?? "";
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
