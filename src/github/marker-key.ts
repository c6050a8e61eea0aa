import { createHmac } from "node:crypto";

/**
 * The key that seals the finding markers of posted comments (see report/fingerprint.ts). Never
 * logged: callers hand it straight to `markerSeal`, which keeps it in a closure.
 *
 * - `DATA_ENGINEER_MARKER_KEY`, when set: the operator's own key.
 * - Otherwise derived from `WEBHOOK_SECRET`, which every app server has (server-env.ts requires
 *   it) and which only the operator and GitHub know. The private key would do as well, but it is
 *   given as text or as a file in several encodings and GitHub lets an app hold several at once:
 *   the same app could derive different keys. The derivation is labelled, so the marker key is
 *   not the webhook secret itself. Rotating the secret makes earlier markers invalid: their
 *   findings are posted once more.
 * - Neither (the CI mode: a workflow's token, which changes every run and posts as
 *   github-actions): a fixed public key. The seal still binds the marker to its repository and
 *   pull request, but anyone can compute it: CI-mode markers are not secret. What protects them
 *   is the fixed position (text from the pull request never reaches a comment's last line) and
 *   that only comments of a bot are read.
 */
export interface MarkerKey {
  key: Uint8Array;
  /** False for the CI mode's public key. */
  secret: boolean;
}

const DERIVATION_LABEL = "data-engineer finding markers v1";
const PUBLIC_CI_KEY = "data-engineer finding markers v1: public CI key, not a secret";

export function markerKeyFromEnv(env: NodeJS.ProcessEnv = process.env): MarkerKey {
  const own = env.DATA_ENGINEER_MARKER_KEY;
  if (own) return { key: Buffer.from(own, "utf8"), secret: true };
  const webhookSecret = env.WEBHOOK_SECRET;
  if (webhookSecret) return { key: createHmac("sha256", webhookSecret).update(DERIVATION_LABEL).digest(), secret: true };
  return { key: Buffer.from(PUBLIC_CI_KEY, "utf8"), secret: false };
}
