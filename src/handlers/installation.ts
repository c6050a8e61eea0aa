import type { Probot } from "probot";
import type { GoneInstallations } from "../jobs/gone-installations.js";

/**
 * `installation.deleted`: the app was uninstalled. Its queued jobs, retries and dead letters are
 * dropped when their turn comes, before any request to GitHub (none could get a token now). A new
 * installation gets a new id; `installation.created` for the same id (never seen, but harmless)
 * lifts it.
 */
export function registerInstallationHandlers(app: Probot, gone: GoneInstallations): void {
  app.on("installation.deleted", (context) => {
    const id = context.payload.installation.id;
    gone.add(id);
    context.log.info({ deliveryId: context.id, installationId: id, decision: "its jobs are dropped" }, "app uninstalled");
  });
  app.on("installation.created", (context) => {
    gone.delete(context.payload.installation.id);
  });
}
