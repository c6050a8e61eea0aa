import { accessSync, constants } from "node:fs";
import { modelSettingsFromEnv } from "./agent/model/model-settings.js";
import { checkQueueEnv } from "./jobs/open-queue.js";
import { analysisSettingsFromEnv } from "./review/analysis-settings.js";

/**
 * What `npm start` needs before it can serve webhooks, as sentences naming each missing or
 * malformed variable. Empty when the environment is complete.
 */
export function checkServerEnv(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const appId = env.APP_ID?.trim();
  if (!appId) problems.push("APP_ID is not set: the GitHub App's numeric ID, from its settings page.");
  else if (!/^\d+$/.test(appId)) problems.push(`APP_ID must be the numeric App ID, not "${appId}".`);

  const keyPath = env.PRIVATE_KEY_PATH?.trim();
  if (!env.PRIVATE_KEY?.trim() && !keyPath) {
    problems.push("PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the App's private key in PEM form, or the path of its .pem file.");
  } else if (!env.PRIVATE_KEY?.trim() && keyPath) {
    try {
      accessSync(keyPath, constants.R_OK);
    } catch {
      problems.push(`PRIVATE_KEY_PATH names "${keyPath}", which cannot be read.`);
    }
  }

  if (!env.WEBHOOK_SECRET) {
    problems.push("WEBHOOK_SECRET is not set: the secret the GitHub App signs its webhook deliveries with.");
  }

  const protocol = env.GHE_PROTOCOL?.trim();
  if (protocol && protocol !== "https" && protocol !== "http") {
    problems.push(`GHE_PROTOCOL must be "https" or "http", not "${protocol}".`);
  }
  const host = env.GHE_HOST?.trim();
  if (host && /[/\s]/.test(host)) {
    problems.push(`GHE_HOST must be a host name such as "github.example.com", not "${host}".`);
  }
  // Gemini is optional; set but malformed is an error (the agent would silently stay off).
  problems.push(...modelSettingsFromEnv(env).problems);
  problems.push(...checkQueueEnv(env));
  problems.push(...analysisSettingsFromEnv(env).problems);
  return problems;
}
