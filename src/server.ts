import { existsSync } from "node:fs";
import { run, type ProbotOctokit, type Server } from "probot";
import { createDataEngineerApp } from "./app.js";
import { checkServerEnv } from "./config/server-env.js";
import { EnvironmentError } from "./errors.js";

export interface StartServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests pass an Octokit with retries and throttling off. */
  Octokit?: typeof ProbotOctokit;
}

/**
 * Starts the webhook server: Probot's, with its environment (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET,
 * HOST, PORT, GHE_HOST, GHE_PROTOCOL, LOG_LEVEL, …) and `/healthz`. Refuses to start with a
 * message naming every missing setting, instead of falling into Probot's interactive setup.
 */
export async function startServer(options: StartServerOptions = {}): Promise<Server> {
  const env = options.env ?? process.env;
  if (env === process.env && existsSync(".env")) process.loadEnvFile(".env");
  const problems = checkServerEnv(env);
  if (problems.length > 0) {
    throw new EnvironmentError(
      `data-engineer cannot start:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "See the Configuration section of the README.",
    );
  }
  return run(createDataEngineerApp({ env }), { env, ...(options.Octokit ? { Octokit: options.Octokit } : {}) });
}

/**
 * Probot's registration flow for a new GitHub App: serves a page that sends app.yml (from the
 * working directory) to GitHub as a manifest; GitHub creates the app and hands back its ID, key
 * and webhook secret, which Probot writes to .env. For a developer's machine, not production.
 */
export async function startRegistration(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Server> {
  const env = { ...(options.env ?? process.env) };
  if (env.NODE_ENV === "production") {
    throw new EnvironmentError("npm run register creates a GitHub App from your machine; unset NODE_ENV=production to use it.");
  }
  for (const key of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH"]) delete env[key];
  return run(createDataEngineerApp({ env, agent: "off" }), { env });
}
