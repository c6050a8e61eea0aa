import { createHash } from "node:crypto";
import type { RepoConfig } from "../config/repo-config.js";
import type { FileResultStore } from "../rules/result-store.js";

/**
 * A local review's configuration, validated once per text: the validated configuration is stored
 * in the CLI's result store under a key of the build and the file's exact text (none: no file,
 * the defaults), and a later review with the same text reads it back as JSON. Building the
 * configuration's schema (zod, ~60 rules' keys) and validating was ~50 ms CPU of every review
 * (issue 20: a review whose migrations are in the cache, under 0.3 s); a hit loads neither zod
 * nor the YAML parse. An invalid file is never stored: it is validated, and refused, every time.
 * The store checks each entry's length and SHA-256, so a damaged entry is a miss.
 */

const FORMAT = "data-engineer repo config 1";

export interface RepoConfigCache {
  store: FileResultStore;
  /** The build's version and code fingerprint (cache-location.ts): another build validates again. */
  toolVersion: string;
}

/** The configuration a file's text gives (`undefined`: no file), as `parseRepoConfigText` validates it; `file` names it in errors. */
export async function repoConfigOf(text: string | undefined, file: string, cache: RepoConfigCache | undefined): Promise<RepoConfig> {
  const key = cache
    ? createHash("sha256")
        .update(JSON.stringify([FORMAT, cache.toolVersion, text ?? null]))
        .digest("hex")
    : undefined;
  const stored = key ? cache?.store.get(key)?.part("config") : undefined;
  if (stored !== undefined) return JSON.parse(stored) as RepoConfig;
  const { DEFAULT_REPO_CONFIG, parseRepoConfigText } = await import("../config/repo-config.js");
  const config = text === undefined ? DEFAULT_REPO_CONFIG : parseRepoConfigText(text, file);
  if (key) cache?.store.put(key, { config: JSON.stringify(config) });
  return config;
}
