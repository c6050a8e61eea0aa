import nock from "nock";
import { Probot, type ProbotOctokit } from "probot";
import pino from "pino";
import dataEngineerApp from "../src/app.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { DocumentedTestOctokit, privateKey, TestOctokit } from "../test/helpers/probot.js";
import { expectCheckFlow, fileEntries, pullRequestEvent } from "../test/helpers/pull-request-scenario.js";
import { formatMs, median, timeIt } from "./stats.js";

/**
 * What turning throttling off in tests is worth: one pull_request delivery (installation token,
 * create check, list files, complete check) through Probot with the documented object form,
 * which leaves the throttling plugin on, against the function form the tests use. Both run in
 * this one process, alternating. Run: npm run bench:throttle
 */

const RUNS = Number(process.env.RUNS ?? 5);
nock.disableNetConnect();

async function deliver(Octokit: typeof ProbotOctokit): Promise<void> {
  nock.cleanAll();
  const github = new FakeGitHub();
  const payload = pullRequestEvent("opened");
  expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["db/migrations/0001.sql"]) });
  const probot = new Probot({ appId: 123, privateKey, Octokit, log: pino({ level: "silent" }) });
  await probot.load(dataEngineerApp, { cwd: process.cwd(), addHandler: () => undefined });
  await probot.receive({ id: "bench", name: "pull_request", payload: payload as never });
  github.assertDone();
}

await deliver(TestOctokit); // warm-up: loads the OpenAPI description and compiles validators
const off: number[] = [];
const documented: number[] = [];
for (let i = 0; i < RUNS; i++) {
  off.push(await timeIt(() => deliver(TestOctokit)));
  documented.push(await timeIt(() => deliver(DocumentedTestOctokit)));
}
const offMedian = median(off);
const documentedMedian = median(documented);
console.log(`one pull_request delivery, median of ${RUNS} runs each, alternating:`);
console.log(`  function form (throttling off):        ${formatMs(offMedian)}`);
console.log(`  documented object form (throttling on): ${formatMs(documentedMedian)}`);
console.log(`  ratio: ${(documentedMedian / offMedian).toFixed(1)}x slower with the documented form`);
