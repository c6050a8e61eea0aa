import { describe, expect, it } from "vitest";
import { checkServerEnv } from "../src/server-env.js";

const complete = { APP_ID: "123", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----", WEBHOOK_SECRET: "s" };

describe("server environment", () => {
  it("accepts a complete environment, with or without Gemini", () => {
    expect(checkServerEnv(complete)).toEqual([]);
    expect(checkServerEnv({ ...complete, GEMINI_API_KEY: "k", GEMINI_BASE_URL: "https://gateway.example.com/gemini" })).toEqual([]);
  });

  it.each([
    [{ APP_ID: "my-app" }, 'APP_ID must be the numeric App ID, not "my-app"'],
    [{ GHE_PROTOCOL: "ftp" }, 'GHE_PROTOCOL must be "https" or "http"'],
    [{ GHE_HOST: "https://ghe.example.com/" }, "GHE_HOST must be a host name"],
    [{ WEBHOOK_SECRET: "" }, "WEBHOOK_SECRET is not set"],
    // Gemini is optional, but set and malformed must stop the start (the agent would silently stay off).
    [{ GEMINI_API_KEY: "k", GEMINI_BASE_URL: "ftp://gateway" }, "GEMINI_BASE_URL"],
    [{ GEMINI_API_KEY: "k", DATA_ENGINEER_AGENT_TOKEN_BUDGET: "lots" }, "DATA_ENGINEER_AGENT_TOKEN_BUDGET"],
  ])("explains %j", (change, expected) => {
    const problems = checkServerEnv({ ...complete, ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});
