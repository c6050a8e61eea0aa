import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultDocsUrl, FALLBACK_REPOSITORY_URL, installedDocsUrl, repositoryWebUrl, ruleDocUrl } from "../../src/report/docs-url.js";
import { ROOT } from "../helpers/run-built.js";

describe("repositoryWebUrl", () => {
  it.each([
    ["owner/name", "https://github.com/owner/name"],
    ["github:owner/name", "https://github.com/owner/name"],
    ["git+https://github.com/owner/name.git", "https://github.com/owner/name"],
    ["https://github.com/owner/name", "https://github.com/owner/name"],
    ["git@github.com:owner/name.git", "https://github.com/owner/name"],
    ["ssh://git@github.com/owner/name.git", "https://github.com/owner/name"],
  ])("reads npm's repository %s", (repository, url) => {
    expect(repositoryWebUrl({ repository })).toBe(url);
    expect(repositoryWebUrl({ repository: { type: "git", url: repository } })).toBe(url);
  });

  it("falls back to a GitHub homepage, and gives nothing for other hosts", () => {
    expect(repositoryWebUrl({ homepage: "https://github.com/owner/name#readme" })).toBe("https://github.com/owner/name");
    expect(repositoryWebUrl({ repository: "https://gitlab.com/owner/name.git", homepage: "https://example.com" })).toBeUndefined();
    expect(repositoryWebUrl({})).toBeUndefined();
  });
});

describe("the docs URL", () => {
  it("defaults to the rule pages at the tag of the running version", () => {
    expect(defaultDocsUrl({ version: "1.2.3", repository: "github:acme/de" })).toBe("https://github.com/acme/de/blob/v1.2.3/docs/rules/");
    expect(defaultDocsUrl({ version: "1.2.3" })).toBe(`${FALLBACK_REPOSITORY_URL}/blob/v1.2.3/docs/rules/`);
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { version: string };
    expect(installedDocsUrl()).toMatch(new RegExp(`^https://github\\.com/[\\w.-]+/[\\w.-]+/blob/v${pkg.version.replace(/\./g, "\\.")}/docs/rules/$`));
  });

  it("builds a rule's absolute address, with or without the base's trailing slash", () => {
    expect(ruleDocUrl("ban-drop-table", "https://docs.example.com/rules/")).toBe("https://docs.example.com/rules/ban-drop-table.md");
    expect(ruleDocUrl("ban-drop-table", "https://docs.example.com/rules")).toBe("https://docs.example.com/rules/ban-drop-table.md");
    expect(ruleDocUrl("ban-drop-table")).toBe(`${installedDocsUrl()}ban-drop-table.md`);
  });
});
