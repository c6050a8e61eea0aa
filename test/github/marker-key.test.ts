import { describe, expect, it } from "vitest";
import { markerKeyFromEnv } from "../../src/github/marker-key.js";
import { findingMarker, markerSeal, markersIn, sealMarker } from "../../src/report/fingerprint.js";

const scope = { owner: "acme", repo: "shop", pullNumber: 7 };
const body = `text\n\n${findingMarker("a".repeat(64))}`;

describe("the key that seals markers", () => {
  it("is the operator's DATA_ENGINEER_MARKER_KEY when set, else derived from WEBHOOK_SECRET, never the secret itself", () => {
    const own = markerKeyFromEnv({ DATA_ENGINEER_MARKER_KEY: "operator key", WEBHOOK_SECRET: "whsec" });
    expect(own).toEqual({ key: Buffer.from("operator key"), secret: true });
    const derived = markerKeyFromEnv({ WEBHOOK_SECRET: "whsec" });
    expect(derived.secret).toBe(true);
    expect(Buffer.from(derived.key).toString("utf8")).not.toContain("whsec");
    // Stable across restarts: markers sealed before are read after.
    expect(markersIn(sealMarker(body, markerSeal(derived.key, scope)), markerSeal(markerKeyFromEnv({ WEBHOOK_SECRET: "whsec" }).key, scope))).toEqual([
      "a".repeat(64),
    ]);
    // Another app's secret gives another key.
    expect(markersIn(sealMarker(body, markerSeal(derived.key, scope)), markerSeal(markerKeyFromEnv({ WEBHOOK_SECRET: "other" }).key, scope))).toEqual([]);
  });

  it("is a fixed public key without either (the CI mode), said not to be secret", () => {
    const ci = markerKeyFromEnv({ GITHUB_TOKEN: "ghs_changes-every-run" });
    expect(ci.secret).toBe(false);
    expect(markerKeyFromEnv({ GITHUB_TOKEN: "ghs_another-run" })).toEqual(ci);
    expect(markerKeyFromEnv({ WEBHOOK_SECRET: "whsec" }).key).not.toEqual(ci.key);
  });
});
