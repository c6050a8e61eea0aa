import type { ApplicationFunction, ApplicationFunctionOptions, Probot } from "probot";
import type { AgentRuntime } from "./agent/agent-review.js";
import { agentRuntimeFromEnv } from "./agent/runtime.js";
import { healthzHandler } from "./handlers/healthz.js";
import { registerCheckRunHandlers } from "./handlers/check-run.js";
import { registerCommandHandlers } from "./handlers/commands.js";
import { registerPullRequestHandler } from "./handlers/pull-request.js";

export interface AppDependencies {
  /** The data-engineer agent; by default from the environment (none without a Gemini key). */
  agent?: AgentRuntime | "from-env" | "off";
  env?: NodeJS.ProcessEnv;
}

/** The Probot app: registers handlers, nothing else. */
export function createDataEngineerApp(deps: AppDependencies = {}): ApplicationFunction {
  return (app: Probot, options?: Partial<ApplicationFunctionOptions>): void => {
    const agent =
      deps.agent === "off" ? undefined : deps.agent === undefined || deps.agent === "from-env" ? agentRuntimeFromEnv(deps.env ?? process.env, app.log) : deps.agent;
    app.log.info({ agent: agent ? "on" : "off" }, agent ? "data-engineer agent enabled" : "no Gemini credentials: reviews are the analyser's alone");
    registerPullRequestHandler(app, agent);
    registerCheckRunHandlers(app, agent);
    registerCommandHandlers(app, agent);
    // Probot's server and createNodeMiddleware take extra HTTP routes; a bare Probot (as some
    // serverless hosts use) has none and throws, and then there is no /healthz to serve.
    try {
      options?.addHandler?.(healthzHandler);
    } catch (error) {
      app.log.debug({ err: error }, "no HTTP server to add /healthz to");
    }
  };
}

const dataEngineerApp: ApplicationFunction = createDataEngineerApp();
export default dataEngineerApp;
