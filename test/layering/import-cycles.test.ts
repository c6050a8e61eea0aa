import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { importCircles, importGraph, type ImportEdge } from "./import-graph.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("import circles in src/", () => {
  let edges: ImportEdge[];
  beforeAll(() => {
    edges = importGraph(projectRoot, "src");
  });

  it("finds none", () => {
    // The graph is the real one, not an empty read: the app has hundreds of imports.
    expect(edges.length).toBeGreaterThan(300);
    expect(importCircles(edges)).toEqual([]);
  });

  it("finds a circle of three files and a file that imports itself, and nothing in a chain", () => {
    const fixture = [
      { from: "a.ts", to: "b.ts" },
      { from: "b.ts", to: "c.ts" },
      { from: "c.ts", to: "a.ts" },
      { from: "c.ts", to: "d.ts" },
      { from: "d.ts", to: "e.ts" },
      { from: "f.ts", to: "f.ts" },
    ];
    expect(importCircles(fixture)).toEqual([["a.ts", "b.ts", "c.ts"], ["f.ts"]]);
  });

  it("reads type-only imports and import() as edges", () => {
    expect(edges).toContainEqual({ from: "src/github/pull-request-client.ts", to: "src/github/octokit.ts", typeOnly: true });
    expect(edges).toContainEqual({ from: "src/github/pull-request-client.ts", to: "src/github/commit-status.ts", typeOnly: false });
    expect(edges).toContainEqual({ from: "src/jobs/open-queue.ts", to: "src/jobs/bullmq-queue.ts", typeOnly: false });
  });
});
