import type { IncomingMessage, ServerResponse } from "node:http";

export const HEALTHZ_PATH = "/healthz";

/** Liveness for load balancers and Docker's HEALTHCHECK: 200 while the server answers. */
export function healthzHandler(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "").split("?")[0];
  if (path !== HEALTHZ_PATH || (req.method !== "GET" && req.method !== "HEAD")) return false;
  const body = JSON.stringify({ status: "ok" });
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}
