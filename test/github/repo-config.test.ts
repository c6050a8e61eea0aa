import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { GitHubApiError } from "../../src/errors.js";
import { loadRepoConfig } from "../../src/github/repo-config.js";
import { FakeGitHub } from "../helpers/fake-github.js";

const octokit = () => new Octokit({ auth: "t", request: { retries: 0 } });
const NOT_FOUND = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
const path = (repo: string) => new RegExp(`^/repos/acme/${repo.replace(".", "\\.")}/contents/\\.github(/|%2F)data-engineer\\.yml$`);

describe("loading .github/data-engineer.yml", () => {
  it("falls back to the organisation's .github repository", async () => {
    const github = new FakeGitHub().on("GET", path("shop"), NOT_FOUND).on("GET", path(".github"), { status: 200, raw: "failOn: never\n" });
    const { config, source } = await loadRepoConfig(octokit(), "acme", "shop");
    github.assertDone();
    expect(config.failOn).toBe("never");
    expect(source).toBe("acme/.github:.github/data-engineer.yml");
    expect(github.requests.every((r) => !r.query.has("ref"))).toBe(true);
  });

  it("uses the defaults when neither has one", async () => {
    const github = new FakeGitHub().on("GET", path("shop"), NOT_FOUND).on("GET", path(".github"), NOT_FOUND);
    const { config, source } = await loadRepoConfig(octokit(), "acme", "shop");
    github.assertDone();
    expect(source).toBeUndefined();
    expect(config.failOn).toBe("error");
  });

  it("names the file and the key of an invalid configuration", async () => {
    const github = new FakeGitHub().on("GET", path("shop"), { status: 200, raw: "reviewEvent: APPROVE\n" });
    await expect(loadRepoConfig(octokit(), "acme", "shop")).rejects.toThrow(ConfigError);
    github.assertDone();
  });

  it("reports a GitHub failure as GitHub's, not as a configuration error", async () => {
    const github = new FakeGitHub().on("GET", path("shop"), {
      status: 500,
      body: { message: "boom", documentation_url: "x" },
      undocumented: "any endpoint can fail",
    });
    await expect(loadRepoConfig(octokit(), "acme", "shop")).rejects.toBeInstanceOf(GitHubApiError);
    github.assertDone();
  });
});
