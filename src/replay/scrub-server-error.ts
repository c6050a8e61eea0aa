/**
 * What of an external server's error message may be posted in a review. The replay role cannot
 * read other sessions' queries, but it can list databases and roles (pg_database and pg_roles are
 * readable by every role) and put whatever it read into an error of its own (RAISE, a failed
 * cast): other replays' names, the operator's role and database, addresses. Those are masked, the
 * text is cut short, and the review shows it next to the SQLSTATE.
 */

const OTHER_REPLAYS = /data_engineer_replay_[0-9a-z_]+/g;
const IP_ADDRESSES = /\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi;
export const SERVER_MESSAGE_LIMIT = 400;

export interface ScrubContext {
  /** The replay's own role and database name: kept. */
  own: string;
  /** Names of the operator's side (its role, its database, the host): masked. */
  hidden: readonly string[];
  /** Masks the URL's password wherever it appears. */
  redact(text: string): string;
}

export function scrubServerMessage(message: string, context: ScrubContext): string {
  let text = context.redact(message).replace(OTHER_REPLAYS, (name) => (name === context.own ? name : "data_engineer_replay_…"));
  for (const name of context.hidden) {
    if (name.length === 0) continue;
    // As a whole name only: "app" masks the role app, not the word application.
    text = text.replace(new RegExp(`(?<![\\w$])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w$])`, "g"), "…");
  }
  text = text.replace(IP_ADDRESSES, "…");
  return text.length <= SERVER_MESSAGE_LIMIT ? text : `${text.slice(0, SERVER_MESSAGE_LIMIT)}…`;
}
