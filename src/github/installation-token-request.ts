/** The path of the installation access token endpoint (also as Octokit's unexpanded route template). */
const TOKEN_PATH = /\/app\/installations\/[^/]+\/access_tokens$/;

/**
 * Whether a request is the installation token's: authentication, not one job's work. The write
 * spacing does not space it (./write-spacing.ts), and a job's abort does not cut it, because
 * @octokit/auth-app shares one such request among every caller waiting for the token (./job-signal.ts).
 */
export function isInstallationTokenRequest(url: string): boolean {
  return TOKEN_PATH.test(new URL(url, "http://github.test").pathname);
}
