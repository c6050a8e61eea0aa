import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "../../src/report/redact.js";

describe("redactSecrets", () => {
  it.each([
    ["github token", "token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB here"],
    ["fine-grained github token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"],
    ["google api key", "key=AIzaSyA-0123456789abcdefghijklmnopqrstu"],
    ["aws access key id", "AKIAIOSFODNN7EXAMPLE"],
    ["slack token", "xoxb-123456789012-abcdefghijkl"],
    ["stripe key", "sk_live_0123456789abcdefABCDEF"],
    ["openai-style key", "sk-proj-0123456789abcdefghijklmnop"],
    ["jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
    ["private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"],
  ])("replaces a %s", (_name, text) => {
    const out = redactSecrets(text);
    expect(out).toContain(REDACTED);
    expect(out).not.toMatch(/ghp_0123|github_pat_11|AIzaSy|AKIAIOSF|xoxb-1234|sk_live_0|sk-proj-0|eyJhbGci|MIIEow/);
  });

  it("keeps the user of a connection URL and drops its password", () => {
    expect(redactSecrets("DATABASE_URL=postgres://app:s3cr3t@db:5432/app")).toBe(`DATABASE_URL=postgres://app:${REDACTED}@db:5432/app`);
  });

  it("leaves ordinary SQL and code alone", () => {
    const sql = "ALTER TABLE orders ADD COLUMN password_hash text; -- see https://example.com/docs";
    expect(redactSecrets(sql)).toBe(sql);
  });
});
