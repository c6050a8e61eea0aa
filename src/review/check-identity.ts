/**
 * The check run's `external_id`: which pull request and head commit it reports on, so that a
 * re-run request (which carries only the check run) can be traced back to its pull request.
 */
export interface CheckIdentity {
  pullNumber: number;
  headSha: string;
}

const FORMAT = /^data-engineer:pr=(\d+):sha=([0-9a-f]{7,64})$/;

export function encodeCheckIdentity(identity: CheckIdentity): string {
  return `data-engineer:pr=${identity.pullNumber}:sha=${identity.headSha}`;
}

/** The identity in an external id written by `encodeCheckIdentity`, or undefined for anything else. */
export function parseCheckIdentity(externalId: string | null | undefined): CheckIdentity | undefined {
  const match = FORMAT.exec(externalId ?? "");
  if (!match?.[1] || !match[2]) return undefined;
  return { pullNumber: Number(match[1]), headSha: match[2] };
}
