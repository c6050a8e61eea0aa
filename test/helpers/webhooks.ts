import { createRequire } from "node:module";

/**
 * Real webhook payloads from @octokit/webhooks-examples. The examples carry no `installation`
 * (GitHub adds it for apps), so tests add one.
 */

interface EventExamples {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

const require = createRequire(import.meta.url);
const all = require("@octokit/webhooks-examples") as EventExamples[];

export const INSTALLATION_ID = 42;

/** A deep copy of the first example of `event` with `action`, with the installation added. */
export function webhookExample<T = Record<string, unknown>>(event: string, action: string): T {
  const examples = all.find((e) => e.name === event)?.examples ?? [];
  const example = examples.find((e) => e.action === action);
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event}.${action}`);
  return { ...structuredClone(example), installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=" } } as T;
}
