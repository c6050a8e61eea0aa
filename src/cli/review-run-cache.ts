import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { modelSettingsFromEnv } from "../agent/model/model-settings.js";
import { LocalRepo } from "../git/local-repo.js";
import type { FileResultStore } from "../rules/result-store.js";
import { resultStoreFor, toolVersion } from "./cache-location.js";
import type { ResolvedRefs, ReviewRunFacts } from "./commands/review.js";
import { DEFAULT_BASES, REVIEW_OPTIONS } from "./commands/review-options.js";
import type { CliIo } from "./io.js";
import { parseArgsOptions } from "./options.js";
import { throughStoredRun } from "./stored-run.js";

/**
 * The whole output of a local `data-engineer review`, cached in front of the command, as lint's
 * run cache is (lint-run-cache.ts): a local review reads its repository at two commits, and a
 * commit id names its whole tree and history, so the same ids, options and build print the same
 * review. A warm run resolves the refs with git and prints; it loads neither the pipeline, the
 * configuration's schema, the logger nor the parser (issue 20: a review adding one migration to
 * 300 under 0.3 s CPU warm).
 *
 * Key: the build (toolVersion), the repository folder, the options as parsed, the base ref chosen
 * and the commit ids of base and head, the --config file's bytes. The configuration otherwise comes
 * from the base commit, inside its id. Not cached: --github (it publishes), --no-cache, a process
 * whose environment configures a model (the agent's report is not a function of the commits), and
 * a review that replayed (a replay's timings and engine are the machine's): those run as before.
 * Stored only for a run that exits 0 or 1 and writes nothing to stderr; entries are the result
 * store's, checked by length and SHA-256, so a damaged one is a miss.
 */

const FORMAT = "data-engineer review run 1";

export async function reviewThroughRunCache(argv: readonly string[], io: CliIo): Promise<number> {
  const cached = await runKey(argv, io);
  if (!cached) return (await import("./commands/review.js")).review(argv, io);
  const { key, store, refs } = cached;
  const facts: ReviewRunFacts = { replayedOrAgent: true };
  return throughStoredRun(
    store,
    key,
    io,
    async (capturing) => (await import("./commands/review.js")).review(argv, capturing, facts, refs),
    () => !facts.replayedOrAgent,
  );
}

async function runKey(argv: readonly string[], io: CliIo): Promise<{ key: string; store: FileResultStore; refs: ResolvedRefs } | undefined> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], allowPositionals: false, strict: true, options: parseArgsOptions(REVIEW_OPTIONS) }));
  } catch {
    return undefined;
  }
  if (values.help || values.github || values["no-cache"]) return undefined;
  const env = io.env ?? {};
  if (!values["no-agent"]) {
    const { settings, problems } = modelSettingsFromEnv(env);
    if (settings || problems.length > 0) return undefined;
  }
  const store = resultStoreFor(env);
  if (!store) return undefined;
  const dir = resolve(io.cwd, values.repo);
  const repo = new LocalRepo(dir);
  let config: string | null = null;
  try {
    if (values.config !== undefined) config = readFileSync(resolve(io.cwd, values.config), "utf8");
  } catch {
    return undefined;
  }
  const base = values.base ?? (await repo.firstExisting(DEFAULT_BASES));
  const baseSha = base ? await repo.resolve(base) : undefined;
  const headSha = await repo.resolve(values.head ?? "HEAD");
  if (!base || !baseSha || !headSha) return undefined;
  const options = Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1));
  const key = createHash("sha256")
    .update(JSON.stringify([FORMAT, toolVersion(), dir, options, base, baseSha, headSha, config]))
    .digest("hex");
  return { key, store, refs: { base, headSha } };
}
