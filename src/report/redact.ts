/**
 * Secret-looking strings replaced before text leaves the process: tool results before they go to
 * the model, and everything the model wrote before it is posted on the pull request (where anyone
 * who can read the repository reads it). Patterns are shapes of real credentials, not guesses at
 * variable names, so ordinary code and SQL pass through unchanged.
 */

export const REDACTED = "[REDACTED]";

const SECRET_PATTERNS: readonly RegExp[] = [
  // PEM private keys, whole block.
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  // GitHub tokens: classic, fine-grained, OAuth, app installation, refresh.
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}\b/g,
  // Google API keys, AWS access key ids, Slack tokens, Stripe keys, OpenAI/Anthropic-style keys.
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}\b/g,
  // JSON Web Tokens.
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g,
];

/** user:password@ in connection URLs (postgres://app:s3cret@db/...): the password goes. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out.replace(URL_PASSWORD, `$1${REDACTED}@`);
}
