import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { GitHubApiError } from "../../src/errors.js";
import { loadRepoConfig } from "../../src/github/repo-config.js";
import { fileContentAnswer } from "../helpers/contents-answer.js";
import { FakeGitHub } from "../helpers/fake-github.js";

const FILE = ".github/data-engineer.yml";

const octokit = () => new Octokit({ auth: "t", request: { retries: 0 } });
const NOT_FOUND = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
const path = (repo: string) => new RegExp(`^/repos/acme/${repo.replace(".", "\\.")}/contents/\\.github(/|%2F)data-engineer\\.yml$`);

describe("loading .github/data-engineer.yml", () => {
  it("falls back to the organisation's .github repository", async () => {
    const github = new FakeGitHub()
      .on("GET", path("shop"), NOT_FOUND)
      .on("GET", path(".github"), fileContentAnswer("acme", ".github", FILE, "failOn: never\n"));
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

  it("parses each blob once: the same git object id gives the parsed configuration (or its error) again", async () => {
    const first = fileContentAnswer("acme", "cached", FILE, "failOn: never\n");
    const sha = (first.body as { sha: string }).sha;
    // The same blob id with other content cannot happen on GitHub (the id names the content): here it
    // shows that the second answer is not parsed.
    const second = fileContentAnswer("acme", "cached", FILE, "failOn: warning\n");
    const github = new FakeGitHub()
      .on("GET", path("cached"), first)
      .on("GET", path("cached"), { ...second, body: { ...(second.body as Record<string, unknown>), sha } });
    expect((await loadRepoConfig(octokit(), "acme", "cached")).config.failOn).toBe("never");
    expect((await loadRepoConfig(octokit(), "acme", "cached")).config.failOn).toBe("never");
    github.assertDone();
    github.stop();

    // A new commit of the file is a new blob: parsed, and its error cached the same way.
    const broken = fileContentAnswer("acme", "cached", FILE, "reviewEvent: APPROVE\n");
    const again = new FakeGitHub().on("GET", path("cached"), broken).on("GET", path("cached"), broken);
    await expect(loadRepoConfig(octokit(), "acme", "cached")).rejects.toThrow(ConfigError);
    await expect(loadRepoConfig(octokit(), "acme", "cached")).rejects.toThrow(/reviewEvent/);
    again.assertDone();
    again.stop();
  });

  it("names the file and the key of an invalid configuration", async () => {
    const github = new FakeGitHub().on("GET", path("shop"), fileContentAnswer("acme", "shop", FILE, "reviewEvent: APPROVE\n"));
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

  it("refuses a configuration over 64 KiB from the size GitHub states, before reading its content", async () => {
    // Over 1 MB GitHub sends no content in the JSON answer: only the size says how large the file is.
    const github = new FakeGitHub().on("GET", path("shop"), fileContentAnswer("acme", "shop", FILE, "", { size: 12 * 1024 * 1024, content: "" }));
    const loading = loadRepoConfig(octokit(), "acme", "shop");
    await expect(loading).rejects.toBeInstanceOf(ConfigError);
    await expect(loading).rejects.toThrow("acme/shop:.github/data-engineer.yml is 12582912 bytes; the configuration may be at most 65536 bytes (64 KiB)");
    github.assertDone();
    expect(github.requests.every((r) => !String(r.headers.accept ?? "").includes(".raw"))).toBe(true);
  });

  it("refuses content over 64 KiB even when the stated size is small", async () => {
    const big = `failOn: never\n# ${"x".repeat(70 * 1024)}\n`;
    const github = new FakeGitHub().on("GET", path("shop"), fileContentAnswer("acme", "shop", FILE, big, { size: 10 }));
    await expect(loadRepoConfig(octokit(), "acme", "shop")).rejects.toThrow("at most 65536 bytes");
    github.assertDone();
  });

  it("reads a configuration of exactly 64 KiB", async () => {
    const head = "failOn: never\n# ";
    const text = `${head}${"x".repeat(64 * 1024 - head.length - 1)}\n`;
    expect(Buffer.byteLength(text)).toBe(64 * 1024);
    const github = new FakeGitHub().on("GET", path("shop"), fileContentAnswer("acme", "shop", FILE, text));
    const { config } = await loadRepoConfig(octokit(), "acme", "shop");
    github.assertDone();
    expect(config.failOn).toBe("never");
  });
});
