import { Octokit } from "@octokit/rest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { createMetrics, metrics } from "../../src/ops/metrics.js";
import { observeOctokit, octokitMetricsPlugin } from "../../src/ops/octokit-metrics.js";
import { sampleValue } from "./scrape.js";

const P = "data_engineer_";
const repo = { id: 1, name: "r", full_name: "o/r" };

describe("counting an Octokit's requests", () => {
  it("counts a 2xx and a 404 by method and status class, and rethrows the 404 unchanged", async () => {
    nock("https://api.github.com").get("/repos/o/r").reply(200, repo).get("/repos/o/missing").reply(404, { message: "Not Found" });
    const m = createMetrics({ defaultMetrics: false });
    const octokit = new Octokit({ auth: "t" });
    // An inner hook, registered first, sees the error exactly as Octokit threw it.
    let thrown: unknown;
    octokit.hook.error("request", (error) => {
      thrown = error;
      throw error;
    });
    observeOctokit(octokit, m);

    const ok = await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(ok.status).toBe(200);
    expect(ok.data.full_name).toBe("o/r");

    const caught: unknown = await octokit.rest.repos.get({ owner: "o", repo: "missing" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).toBeDefined();
    expect(caught).toBe(thrown);
    expect(caught).toMatchObject({ name: "HttpError", status: 404 });
    expect(nock.isDone()).toBe(true);

    const { body } = await m.render();
    expect(sampleValue(body, `${P}github_requests_total`, { method: "GET", status: "2xx" })).toBe(1);
    expect(sampleValue(body, `${P}github_requests_total`, { method: "GET", status: "4xx" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "404" })).toBe(1);
  });

  it("counts a request that got no answer as network", async () => {
    // fetch itself fails, as undici does when the connection is reset.
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    const fetch = () => Promise.reject(new TypeError("fetch failed", { cause: reset }));
    const m = createMetrics({ defaultMetrics: false });
    const octokit = new Octokit({ auth: "t", request: { fetch } });
    observeOctokit(octokit, m);
    await expect(octokit.rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "x" })).rejects.toMatchObject({
      status: 500,
      message: "read ECONNRESET",
    });
    const { body } = await m.render();
    expect(sampleValue(body, `${P}github_requests_total`, { method: "POST", status: "network" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "network" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "500" })).toBeUndefined();
  });

  it("works as an Octokit plugin, counting in the process metrics", async () => {
    nock("https://api.github.com").get("/repos/o/r").reply(200, repo);
    const before = sampleValue((await metrics.render()).body, `${P}github_requests_total`, { method: "GET", status: "2xx" }) ?? 0;
    const Counted = Octokit.plugin(octokitMetricsPlugin);
    await new Counted({ auth: "t" }).rest.repos.get({ owner: "o", repo: "r" });
    const after = sampleValue((await metrics.render()).body, `${P}github_requests_total`, { method: "GET", status: "2xx" });
    expect(after).toBe(before + 1);
  });
});
