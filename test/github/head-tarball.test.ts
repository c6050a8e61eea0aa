import { gzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { workspaceFromGitHub } from "../../src/agent/workspace/sources.js";
import { GitHubApiError } from "../../src/errors.js";
import { downloadTarball } from "../../src/github/head-tarball.js";
import { PullRequestClient } from "../../src/github/pull-request-client.js";
import { paxEntry, rawTar } from "../agent/workspace/tar-bytes.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { privateKey, TestOctokit } from "../helpers/probot.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";

const SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const pr = { owner: "acme", repo: "shop", pullNumber: 7, headSha: SHA };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const octokit = () => new Octokit({ auth: "ghs_installation-token", request: { retries: 0 }, log: quiet });
const CODELOAD = "https://codeload.github.com";
const archivePath = `/acme/shop/legacy.tar.gz/${SHA}`;

/** GitHub's answer to the API request: a redirect to codeload.github.com (the 302 GitHub documents). */
function redirectToCodeload(github: FakeGitHub): FakeGitHub {
  return github.on("GET", `/repos/acme/shop/tarball/${SHA}`, { status: 302, headers: { location: `${CODELOAD}${archivePath}?token=short-lived` } });
}

/** A tarball as GitHub builds it: pax global header with the commit, one top-level folder. */
function githubTarball(): Buffer {
  return gzipSync(
    rawTar([
      paxEntry({ comment: SHA }, "g"),
      { path: `acme-shop-${SHA.slice(0, 7)}/`, type: "5" },
      { path: `acme-shop-${SHA.slice(0, 7)}/db/migrations/001_init.sql`, body: "CREATE TABLE orders (id bigint);\n" },
      { path: `acme-shop-${SHA.slice(0, 7)}/config`, type: "2", linkpath: "/etc" },
    ]),
  );
}

describe("the head commit's tarball", () => {
  it("follows GitHub's redirect to codeload, streams the archive and unpacks it", async () => {
    const github = redirectToCodeload(new FakeGitHub());
    // codeload is not the API host: the token in the URL authorises, the API token must not follow.
    const codeload = nock(CODELOAD, { badheaders: ["authorization"] })
      .get(archivePath)
      .query({ token: "short-lived" })
      .reply(200, githubTarball(), { "content-type": "application/x-gzip" });
    const client = new PullRequestClient(octokit(), pr);

    const ws = await workspaceFromGitHub(client);
    try {
      expect(ws.files).toBe(1);
      expect(ws.skipped).toEqual([{ path: "config", reason: "symbolic link to /etc" }]);
    } finally {
      await ws.dispose();
    }
    github.assertDone();
    expect(codeload.isDone()).toBe(true);
    expect(github.requestsTo("repos/download-tarball-archive")).toHaveLength(1);
  });

  it("works with the installation Octokit Probot gives the app", async () => {
    const github = redirectToCodeload(new FakeGitHub().installationToken(INSTALLATION_ID));
    nock(CODELOAD, { badheaders: ["authorization"] })
      .get(archivePath)
      .query(true)
      .reply(200, githubTarball(), { "content-type": "application/x-gzip" });
    const probot = new Probot({ appId: 123, privateKey, Octokit: TestOctokit });
    const client = new PullRequestClient(await probot.auth(INSTALLATION_ID), pr);

    const ws = await workspaceFromGitHub(client);
    try {
      expect(ws.files).toBe(1);
    } finally {
      await ws.dispose();
    }
    github.assertDone();
  });

  it("hands over the body unread, as a stream", async () => {
    const github = redirectToCodeload(new FakeGitHub());
    const bytes = githubTarball();
    nock(CODELOAD).get(archivePath).query(true).reply(200, bytes, { "content-type": "application/x-gzip" });

    const body = await downloadTarball(octokit(), { owner: "acme", repo: "shop", ref: SHA });
    expect(typeof (body as { getReader?: unknown }).getReader).toBe("function");
    const received: Buffer[] = [];
    for await (const chunk of body) received.push(Buffer.from(chunk));
    expect(Buffer.concat(received).equals(bytes)).toBe(true);
    github.assertDone();
  });

  it("says the archive is not available when GitHub answers 404", async () => {
    const github = new FakeGitHub().on("GET", `/repos/acme/shop/tarball/${SHA}`, {
      status: 404,
      body: { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar" },
      undocumented: "GitHub answers 404 for a commit or repository the installation cannot see",
    });
    const failure = await new PullRequestClient(octokit(), pr).headTarball().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect((failure as GitHubApiError).status).toBe(404);
    expect((failure as Error).message).toMatch(/^the head commit's archive is not available/);
    github.assertDone();
  });

  it("says the archive is not available when codeload answers 404 after the redirect", async () => {
    const github = redirectToCodeload(new FakeGitHub());
    nock(CODELOAD).get(archivePath).query(true).reply(404, "Not Found", { "content-type": "text/plain" });
    const failure = await new PullRequestClient(octokit(), pr).headTarball().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect((failure as Error).message).toMatch(/^the head commit's archive is not available/);
    github.assertDone();
  });

  it("describes other failures as GitHub's", async () => {
    const github = new FakeGitHub().on("GET", `/repos/acme/shop/tarball/${SHA}`, {
      status: 502,
      body: { message: "Bad Gateway", documentation_url: "https://docs.github.com/rest" },
      undocumented: "any endpoint can fail",
    });
    const failure = await new PullRequestClient(octokit(), pr).headTarball().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect((failure as Error).message).toContain(`GitHub answered HTTP 502 while downloading the archive of acme/shop at ${SHA}`);
    github.assertDone();
  });
});
