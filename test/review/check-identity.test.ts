import { describe, expect, it } from "vitest";
import { encodeCheckIdentity, parseCheckIdentity } from "../../src/review/check-identity.js";

describe("check run external_id", () => {
  it("round-trips the pull request and head commit", () => {
    const identity = { pullNumber: 42, headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" };
    expect(parseCheckIdentity(encodeCheckIdentity(identity))).toEqual(identity);
  });

  it.each([null, undefined, "", "42:abc", "data-engineer:pr=x:sha=abc1234", "data-engineer:pr=1:sha=NOTHEX!"])(
    "ignores %j, which it did not write",
    (externalId) => {
      expect(parseCheckIdentity(externalId)).toBeUndefined();
    },
  );
});
