import type { ApplicationFunctionOptions, Probot } from "probot";
import { healthzHandler } from "./handlers/healthz.js";
import { registerPullRequestHandler } from "./handlers/pull-request.js";

/** The Probot app: registers handlers, nothing else. */
export default function dataEngineerApp(app: Probot, options?: Partial<ApplicationFunctionOptions>): void {
  registerPullRequestHandler(app);
  // Probot's server and createNodeMiddleware take extra HTTP routes; a bare Probot (as some
  // serverless hosts use) has none and throws, and then there is no /healthz to serve.
  try {
    options?.addHandler?.(healthzHandler);
  } catch (error) {
    app.log.debug({ err: error }, "no HTTP server to add /healthz to");
  }
}
