import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers/run-built.js";

/**
 * No image can be built here, so the runtime stage's file layout is made in a temporary folder by
 * following the Dockerfile's own COPY lines (context files as the build context has them, minus
 * .dockerignore; the build stage's /app/dist as `npm run build` makes it; the deps stage's
 * node_modules), and the built code runs from there. Dropping a COPY the app needs fails here.
 */

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

/** The COPY instructions of the Dockerfile's last stage, with the stage's WORKDIR. */
function runtimeCopies(dockerfile: string): { workdir: string; copies: Copy[] } {
  const lines = dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  const lastFrom = lines.map((line, i) => (/^FROM\s/i.test(line) ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  let workdir = "/";
  const copies: Copy[] = [];
  for (const line of lines.slice(lastFrom + 1)) {
    const dir = /^WORKDIR\s+(\S+)/i.exec(line)?.[1];
    if (dir) workdir = dir;
    const copy = /^COPY\s+(.+)$/i.exec(line)?.[1];
    if (!copy) continue;
    const words = copy.trim().split(/\s+/);
    const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
    const paths = words.filter((w) => !w.startsWith("--"));
    const dest = paths.pop();
    if (!dest || paths.length === 0) throw new Error(`cannot read ${line}`);
    copies.push({ ...(from ? { from } : {}), sources: paths, dest });
  }
  return { workdir, copies };
}

/** Where a path of another stage comes from on this machine: its /app is the project (dist/ built by the global setup). */
function stagePath(stage: string, path: string): string {
  if (!path.startsWith("/app/")) throw new Error(`COPY --from=${stage} ${path}: only /app/… is known to this test`);
  return join(ROOT, path.slice("/app/".length));
}

function ignoredByDocker(source: string): boolean {
  const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return (
    ignored.includes(source.replace(/\/$/, "")) ||
    ignored.some((pattern) => pattern.includes("*") && new RegExp(`^${pattern.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`).test(source))
  );
}

let image: string;

beforeAll(() => {
  image = mkdtempSync(join(tmpdir(), "de-image-layout-"));
  const { workdir, copies } = runtimeCopies(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
  expect(workdir).toBe("/app");
  for (const copy of copies) {
    const toDir = copy.dest.endsWith("/") || copy.sources.length > 1;
    for (const source of copy.sources) {
      if (!copy.from && ignoredByDocker(source)) throw new Error(`${source} is copied into the image but .dockerignore leaves it out of the build context`);
      const from = copy.from ? stagePath(copy.from, source) : join(ROOT, source);
      const to = toDir ? join(image, copy.dest, basename(source)) : join(image, copy.dest);
      mkdirSync(join(to, ".."), { recursive: true });
      // node_modules is the deps stage's `npm ci --omit=dev`: this checkout's (a superset) stands in, linked.
      if (basename(source) === "node_modules") symlinkSync(from, to, "dir");
      else cpSync(from, to, { recursive: statSync(from).isDirectory() });
    }
  }
});

afterAll(() => {
  if (image) rmSync(image, { recursive: true, force: true });
});

/** Runs `code` (an ES module body) with Node from the image's /app, as the container would. */
function runInImage(code: string): string {
  return execFileSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd: image,
    env: { PATH: process.env.PATH },
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("the Docker image's file layout", () => {
  it("has what the server and the commands read at run time", () => {
    for (const path of ["dist/main.js", "package.json", "app.yml", "agents", "docs/rules"]) expect(existsSync(join(image, path)), path).toBe(true);
  });

  it("has the script its CMD starts, and the bundle's assets beside it", () => {
    const cmd = /^CMD \[(.+)\]$/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"))?.[1];
    const script = (JSON.parse(`[${cmd ?? ""}]`) as string[]).find((word) => word.endsWith(".js"));
    expect(script).toBeDefined();
    expect(existsSync(join(image, script ?? ""))).toBe(true);
    expect(existsSync(join(image, "dist/bundle/libpg-query.wasm"))).toBe(true);
    expect(existsSync(join(image, "dist/bundle/pglite-worker.js"))).toBe(true);
  });

  it("answers `/data-engineer explain <rule>` with the rule's page", () => {
    const explain = pathToFileURL(join(image, "dist/commands/explain.js")).href;
    const config = pathToFileURL(join(image, "dist/config/repo-config.js")).href;
    const out = runInImage(
      `const { explainRule } = await import(${JSON.stringify(explain)});
       const { DEFAULT_REPO_CONFIG } = await import(${JSON.stringify(config)});
       process.stdout.write(JSON.stringify(await explainRule("ban-drop-table", DEFAULT_REPO_CONFIG)));`,
    );
    const explained = JSON.parse(out) as { found: boolean; markdown: string };
    expect(explained.found).toBe(true);
    const page = readFileSync(join(ROOT, "docs/rules/ban-drop-table.md"), "utf8");
    const firstParagraph = page
      .split(/\n## /)[1]
      ?.split("\n")
      .slice(1)
      .find((line) => line.trim() !== "");
    expect(firstParagraph).toBeDefined();
    expect(explained.markdown).toContain(firstParagraph);
  });

  it("links rule pages at the version the image runs", () => {
    const docsUrl = pathToFileURL(join(image, "dist/report/docs-url.js")).href;
    const out = runInImage(`const { installedDocsUrl } = await import(${JSON.stringify(docsUrl)}); process.stdout.write(installedDocsUrl());`);
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(out).toMatch(new RegExp(`^https://github\\.com/.+/blob/v${version.replace(/\./g, "\\.")}/docs/rules/$`));
  });
});
