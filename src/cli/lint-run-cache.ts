import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { collectFiles, type CollectedFiles } from "../migrations/collect-files.js";
import type { FileResultStore } from "../rules/result-store.js";
import { resultStoreFor, toolVersion } from "./cache-location.js";
import { LINT_OPTIONS } from "./commands/lint-options.js";
import type { CliIo } from "./io.js";
import { parseArgsOptions } from "./options.js";
import { throughStoredRun } from "./stored-run.js";
import { workTreeOf } from "./work-tree.js";

/**
 * The whole run's output, cached in front of `lint`: when every input of a run is unchanged, its
 * output is too, so a warm run reads the files, hashes them, and prints what the same run printed
 * before, without loading the rules, the engine, the frameworks' detection, the report code or the
 * parser, and without replaying per-migration entries and writing JSON again (issue 20: a warm run
 * at ≤ 0.5× squawk's CPU, which a run that loads and replays those cannot reach). A changed run
 * misses here and goes through `lint`, whose per-migration cache (src/rules/cached-analysis.ts)
 * analyses only what changed.
 *
 * The key covers everything the output is a function of: the build (toolVersion: package version
 * and a fingerprint of the code, rules included), the options as parsed, the folder the paths are
 * relative to (and, for SARIF, the work tree its URIs are relative to), the configuration file's
 * bytes, and every file read (path and text), every target and every skipped file, in the order
 * `lint` receives them, which `lint` is then given as they were hashed. Only a run that exits 0
 * or 1 and writes nothing to stderr is stored. The entry is one of the result store's: length and
 * SHA-256 checked per part, so a damaged one is a miss (a cold run), never another run's output.
 */

const FORMAT = "data-engineer lint run 1";

/** `data-engineer lint` through the run cache (what the binary runs). */
export async function lintThroughRunCache(argv: readonly string[], io: CliIo): Promise<number> {
  // The command's modules load only when it runs: a stored run is answered without them.
  const lint = async (runIo: CliIo, given?: CollectedFiles) => (await import("./commands/lint.js")).lint(argv, runIo, given);
  const cached = await runKey(argv, io);
  if (!cached) return lint(io);
  const { key, store, collected } = cached;
  return throughStoredRun(store, key, io, (capturing) => lint(capturing, collected));
}

/** The run's key and files; undefined when the run is not cached (--no-cache, --help, no cache folder, an error `lint` reports). */
async function runKey(argv: readonly string[], io: CliIo): Promise<{ key: string; store: FileResultStore; collected: CollectedFiles } | undefined> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: parseArgsOptions(LINT_OPTIONS) });
  } catch {
    return undefined;
  }
  const { values, positionals } = parsed;
  if (values.help || values["no-cache"]) return undefined;
  const store = resultStoreFor(io.env);
  if (!store) return undefined;
  let config: string | null = null;
  let collected: CollectedFiles;
  try {
    if (values.config !== undefined) config = readFileSync(values.config, "utf8"); // as loadConfigFile reads it
    collected = await collectFiles(positionals.length > 0 ? positionals : ["."], io.cwd);
  } catch {
    return undefined;
  }
  const hash = createHash("sha256");
  const field = (text: string) => hash.update(`${Buffer.byteLength(text)}\0`).update(text);
  field(JSON.stringify([FORMAT, toolVersion(), io.cwd, values.format === "sarif" ? (workTreeOf(io.cwd) ?? null) : null]));
  field(JSON.stringify([Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)), positionals, config]));
  field(JSON.stringify([[...collected.targets], collected.skipped]));
  for (const file of collected.files) {
    field(file.path);
    field(file.text);
  }
  return { key: hash.digest("hex"), store, collected };
}
