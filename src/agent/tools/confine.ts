import { realpath } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import { errorMessage } from "../../errors.js";

/**
 * Paths no tool ever reads, lists or searches, whatever the model asks: secrets, credentials,
 * private keys, version-control internals and installed dependencies. Each entry is a file or
 * folder name (or a short trailing path such as `.aws/credentials`) matched, ignoring case, at
 * any depth: a path is refused when any part of it matches, so a folder's contents are too.
 * Checked on the path the model asked for and again on where its symbolic links lead.
 */
export const DENIED_PATHS: readonly string[] = [
  ".git",
  "node_modules",
  ".env*",
  "*.pem",
  "*.key",
  "*.p12",
  "*.pfx",
  "*.jks",
  "*.keystore",
  "*.kdbx",
  "*.ovpn",
  // SSH private keys by their default names. Not every `id_*`: id_sequence.sql is a migration.
  "id_rsa*",
  "id_dsa*",
  "id_ed25519*",
  "id_ecdsa*",
  "id_xmss*",
  ".ssh",
  ".git-credentials",
  ".gitcookies",
  ".npmrc",
  ".yarnrc.yml",
  ".pypirc",
  ".netrc",
  "_netrc",
  ".pgpass",
  ".my.cnf",
  ".htpasswd",
  ".s3cfg",
  ".boto",
  ".vault-token",
  ".aws/credentials",
  ".aws/config",
  ".docker/config.json",
  ".kube/config",
  "kubeconfig",
  ".config/gcloud",
  ".gem/credentials",
  "gha-creds-*.json",
  "service-account*.json",
  "*.tfstate",
  "*.tfstate.backup",
  "secrets",
  "credentials.json",
  "client_secret*.json",
];

interface DeniedMatcher {
  entry: string;
  matches: (path: string) => boolean;
}

let deniedMatchers: DeniedMatcher[] | undefined;

/** Compiled on the first path checked, not when the server starts (issue 20: /readyz within 0.5 s). */
function deniedPathMatchers(): DeniedMatcher[] {
  deniedMatchers ??= DENIED_PATHS.map((entry) => ({
    entry,
    matches: picomatch([`**/${entry}`, `**/${entry}/**`], { dot: true, nocase: true }),
  }));
  return deniedMatchers;
}

/** The DENIED_PATHS entry that refuses this workspace-relative (posix) path, if any. */
export function deniedEntry(relative: string): string | undefined {
  if (relative === "." || relative === "") return undefined;
  return deniedPathMatchers().find((matcher) => matcher.matches(relative))?.entry;
}

export type ConfinedPath = {
  ok: true;
  /** Real path on disk, symbolic links resolved: what to open. */
  absolute: string;
  /** Workspace-relative posix path as the model named it ("." for the root): what to show. */
  relative: string;
};

export type PathRefusal = {
  ok: false;
  type: "path_not_in_workspace" | "path_refused" | "file_not_found";
  message: string;
};

const MAX_ECHOED_PATH_CHARS = 200;

/** The path as the model wrote it, shortened so that a huge argument is not echoed back whole. */
function echo(requested: string): string {
  return requested.length > MAX_ECHOED_PATH_CHARS ? `${requested.slice(0, MAX_ECHOED_PATH_CHARS)}…` : requested;
}

function isInside(relative: string): boolean {
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function toPosix(relative: string): string {
  if (relative === "") return ".";
  return path.sep === "/" ? relative : relative.split(path.sep).join("/");
}

function refusal(type: PathRefusal["type"], message: string): PathRefusal {
  return { ok: false, type, message };
}

function outside(requested: string): PathRefusal {
  return refusal(
    "path_not_in_workspace",
    `Path '${echo(requested)}' is outside the workspace. Use paths relative to the repository root, e.g. 'db/migrate/001_init.sql'.`,
  );
}

function denied(requested: string, entry: string, via?: string): PathRefusal {
  const target = via === undefined ? "" : ` (it leads to '${echo(via)}')`;
  return refusal(
    "path_refused",
    `Path '${echo(requested)}'${target} is refused: paths matching '${entry}' may hold secrets, credentials, version-control data or dependencies, and the review tools never read them.`,
  );
}

/** The workspace root with symbolic links resolved. */
export async function workspaceRealRoot(root: string): Promise<string> {
  return realpath(root);
}

/**
 * Confines a path the model gave to the workspace. Accepts a path relative to the root, or an
 * absolute path inside it; a leading `@` is dropped. Refuses NUL bytes, anything outside the
 * root (`..`, absolute paths elsewhere, symbolic links that lead out) and DENIED_PATHS.
 * Never throws.
 */
export async function resolveInWorkspace(root: string, requested: string): Promise<ConfinedPath | PathRefusal> {
  if (requested.includes("\0")) {
    return refusal("path_refused", "The path contains a NUL byte and was refused.");
  }
  const cleaned = requested.startsWith("@") ? requested.slice(1) : requested;

  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (error) {
    return refusal("file_not_found", `The workspace is not available (${errorMessage(error)}).`);
  }
  const rootAbsolute = path.resolve(root);

  let relative: string;
  if (path.isAbsolute(cleaned)) {
    const absolute = path.resolve(cleaned);
    const fromRoot = path.relative(rootAbsolute, absolute);
    const fromReal = path.relative(rootReal, absolute);
    if (isInside(fromRoot)) relative = fromRoot;
    else if (isInside(fromReal)) relative = fromReal;
    else return outside(requested);
  } else {
    relative = path.relative(rootAbsolute, path.resolve(rootAbsolute, cleaned));
    if (!isInside(relative)) return outside(requested);
  }
  const shown = toPosix(relative);
  const lexicalDenial = deniedEntry(shown);
  if (lexicalDenial !== undefined) return denied(requested, lexicalDenial);

  let real: string;
  try {
    real = await realpath(path.join(rootReal, relative));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return refusal("path_refused", `Path '${echo(requested)}' is a loop of symbolic links.`);
    if (code === "EACCES" || code === "EPERM") {
      return refusal("path_refused", `Path '${echo(requested)}' cannot be read (permission denied).`);
    }
    return refusal("file_not_found", `Path '${echo(requested)}' does not exist in the workspace. Use list_directory or glob to find the right path.`);
  }
  const realRelative = path.relative(rootReal, real);
  if (!isInside(realRelative)) {
    return refusal("path_not_in_workspace", `Path '${echo(requested)}' is a symbolic link that leads outside the workspace, and was refused.`);
  }
  const realShown = toPosix(realRelative);
  const realDenial = deniedEntry(realShown);
  if (realDenial !== undefined) return denied(requested, realDenial, realShown);

  return { ok: true, absolute: real, relative: shown };
}
