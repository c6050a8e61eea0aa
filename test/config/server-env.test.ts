import { describe, expect, it } from "vitest";
import { checkServerEnv } from "../../src/config/server-env.js";

const complete = { APP_ID: "123", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----", WEBHOOK_SECRET: "s" };

describe("server environment", () => {
  it("accepts a complete environment", () => {
    expect(checkServerEnv(complete)).toEqual([]);
  });

  it.each([
    [{ APP_ID: "my-app" }, 'APP_ID must be the numeric App ID, not "my-app"'],
    [{ GHE_PROTOCOL: "ftp" }, 'GHE_PROTOCOL must be "https" or "http"'],
    [{ GHE_HOST: "https://ghe.example.com/" }, "GHE_HOST must be a host name"],
    [{ WEBHOOK_SECRET: "" }, "WEBHOOK_SECRET is not set"],
  ])("explains %j", (change, expected) => {
    const problems = checkServerEnv({ ...complete, ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});
