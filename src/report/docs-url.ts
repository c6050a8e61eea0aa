import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where rule pages are linked from comments. A relative link (`docs/rules/<id>.md`) in a review
 * comment is resolved by GitHub against the pull request's page, which has no such file (404), so
 * every link is absolute: `<docsUrl><rule-id>.md`. The default is the rule pages in data-engineer's
 * own repository at the tag of the running version, so a link shows the page of the rule as this
 * version checks it; an installation can point `docsUrl` at its own copy.
 */

/**
 * data-engineer's repository on GitHub, for when package.json declares none (`repository` or
 * `homepage`). The project has not published one yet: set package.json's `repository` and this is
 * no longer used.
 */
export const FALLBACK_REPOSITORY_URL = "https://github.com/data-engineer/data-engineer";

interface PackageFacts {
  version?: unknown;
  repository?: unknown;
  homepage?: unknown;
}

/** A GitHub web address (https://github.com/owner/name) from package.json's `repository` or `homepage`, if either names one. */
export function repositoryWebUrl(pkg: PackageFacts): string | undefined {
  const repository = typeof pkg.repository === "object" && pkg.repository !== null ? (pkg.repository as { url?: unknown }).url : pkg.repository;
  for (const candidate of [repository, pkg.homepage]) {
    if (typeof candidate !== "string") continue;
    // npm's shorthands ("owner/name", "github:owner/name") and URLs (git+https://…/name.git, git@github.com:owner/name.git).
    const match =
      /^(?:github:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(candidate) ??
      /^(?:git\+)?(?:https?|git|ssh):\/\/(?:[^@/]+@)?github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:[/#].*)?$/.exec(candidate) ??
      /^git@github\.com:([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(candidate);
    if (match) return `https://github.com/${match[1]}/${match[2]}`;
  }
  return undefined;
}

/** The rule pages' folder in the repository at the tag of `version` (with a trailing slash). */
export function defaultDocsUrl(pkg: PackageFacts): string {
  const version = typeof pkg.version === "string" ? pkg.version : "0.0.0";
  return `${repositoryWebUrl(pkg) ?? FALLBACK_REPOSITORY_URL}/blob/v${encodeURIComponent(version)}/docs/rules/`;
}

let cached: string | undefined;

/**
 * data-engineer's own package.json: the nearest one above this module that names the package
 * (src/report/ in tests, dist/report/ when installed, bench/.out/src/report/ in the benchmarks).
 */
function ownPackageJson(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "data-engineer") return candidate;
    if (dirname(dir) === dir) throw new Error("data-engineer's package.json was not found above its modules");
  }
}

/** The default docs URL of this installation, from its own package.json (read once). */
export function installedDocsUrl(): string {
  cached ??= defaultDocsUrl(JSON.parse(readFileSync(ownPackageJson(), "utf8")) as PackageFacts);
  return cached;
}

/** The absolute address of a rule's page under `docsUrl` (a slash is added when the base lacks one). */
export function ruleDocUrl(rule: string, docsUrl: string = installedDocsUrl()): string {
  const base = docsUrl.endsWith("/") ? docsUrl : `${docsUrl}/`;
  return `${base}${encodeURIComponent(rule)}.md`;
}
