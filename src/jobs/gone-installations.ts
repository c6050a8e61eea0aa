/**
 * Installations GitHub says are gone: the app was uninstalled (the `installation.deleted` webhook),
 * or GitHub answers 404 when asked for the installation's token. Their jobs are dropped instead of
 * retried for half an hour, and their dead letters and superseded checks touch nothing: no token
 * can be had for them, at this start or any later one.
 *
 * Kept in memory: after a restart the first job of such an installation learns it again from the
 * 404, one request.
 */
export class GoneInstallations {
  private readonly gone = new Set<number>();

  add(installationId: number): void {
    this.gone.add(installationId);
  }

  /** The app was installed again (`installation.created` reuses no id, but an unsuspend does). */
  delete(installationId: number): void {
    this.gone.delete(installationId);
  }

  has(installationId: number | undefined): boolean {
    return installationId !== undefined && this.gone.has(installationId);
  }
}

/** The path GitHub answers 404 on when the installation no longer exists. */
const TOKEN_REQUEST = /\/app\/installations\/\d+\/access_tokens$/;

/**
 * Whether a failure is GitHub saying the installation is gone: a 404 to the installation token
 * request (Octokit asks for the token before the job's first request, and the error carries that
 * request), on the error or any of its causes.
 */
export function installationGone(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== "object" || depth > 5) return false;
  const { status, request } = error as { status?: unknown; request?: { url?: unknown } };
  if (status === 404 && typeof request?.url === "string" && TOKEN_REQUEST.test(new URL(request.url, "https://api.github.com").pathname)) return true;
  return installationGone((error as { cause?: unknown }).cause, depth + 1);
}
