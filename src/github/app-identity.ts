/**
 * This app's id. Probot 14 keeps it private; the event's Octokit authenticates with the app's
 * credentials, and asking it for app authentication signs a JWT locally (no request to GitHub)
 * and names the app id. Resolved once; undefined when Probot runs with a plain token.
 */
export interface AppAuthenticator {
  auth(options: { type: "app" }): Promise<unknown>;
}

export function appIdResolver(onError?: (error: unknown) => void): (octokit: AppAuthenticator) => Promise<number | undefined> {
  let known: number | undefined;
  return async (octokit) => {
    if (known !== undefined) return known;
    try {
      const auth = await octokit.auth({ type: "app" });
      const appId = typeof auth === "object" && auth !== null && "appId" in auth ? Number(auth.appId) : Number.NaN;
      if (Number.isSafeInteger(appId) && appId > 0) known = appId;
    } catch (error) {
      onError?.(error);
    }
    return known;
  };
}
