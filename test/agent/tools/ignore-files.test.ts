import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitGlobToRegex } from "../../../src/agent/tools/ignore-rules.js";
import { runTool } from "../../../src/agent/tools/index.js";
import { makeWorkspace, type TempWorkspace } from "./workspace.js";

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace({
    ".gitignore": "# build output\nbuild/\n*.log\n!keep.log\n/tmp\n",
    ".geminiignore": "notes/private.md\n",
    "build/schema.sql": "CREATE TABLE orders_copy ();\n",
    "db/migrate/001.sql": "CREATE TABLE orders ();\n",
    "db/migrate/.gitignore": "scratch_*.sql\n",
    "db/migrate/scratch_orders.sql": "DROP TABLE orders;\n",
    "db/debug.log": "orders\n",
    "db/keep.log": "orders kept\n",
    "tmp/orders.sql": "SELECT * FROM orders;\n",
    "lib/tmp/orders.sql": "SELECT 1 FROM orders;\n",
    "notes/private.md": "orders are slow\n",
  });
});
afterAll(async () => {
  await ws.cleanup();
});

const files = (llmContent: string) => [...llmContent.matchAll(/^File: (.+)$/gm)].map((m) => m[1]);

describe(".gitignore and .geminiignore", () => {
  it("leave ignored files out of grep_search, nested .gitignore files included, and say how many", async () => {
    const result = await runTool("grep_search", { pattern: "orders", names_only: true }, ws.ctx);
    const listed = result.llmContent.split("\n\n")[0]?.split("\n").slice(1);
    expect(listed).toEqual(["db/keep.log", "db/migrate/001.sql", "lib/tmp/orders.sql"]);
    expect(result.llmContent).toContain("left out by .gitignore or .geminiignore; pass no_ignore: true to include them");
  });

  it("are not applied with no_ignore", async () => {
    const result = await runTool("grep_search", { pattern: "orders", no_ignore: true, context: 0 }, ws.ctx);
    expect(files(result.llmContent)).toEqual([
      "build/schema.sql",
      "db/debug.log",
      "db/keep.log",
      "db/migrate/001.sql",
      "db/migrate/scratch_orders.sql",
      "lib/tmp/orders.sql",
      "notes/private.md",
      "tmp/orders.sql",
    ]);
  });

  it("are respected by glob, each switchable", async () => {
    const both = await runTool("glob", { pattern: "**/*.{sql,md}" }, ws.ctx);
    expect(both.llmContent).not.toMatch(/build\/|scratch_|private\.md|^tmp\//m);
    const noGemini = await runTool("glob", { pattern: "**/*.md", respect_gemini_ignore: false }, ws.ctx);
    expect(noGemini.llmContent).toContain("notes/private.md");
    const noGit = await runTool("glob", { pattern: "**/*.sql", respect_git_ignore: false }, ws.ctx);
    expect(noGit.llmContent).toContain("build/schema.sql");
  });

  it("are respected by list_directory and read_many_files through file_filtering_options", async () => {
    const listed = await runTool("list_directory", { dir_path: "db/migrate" }, ws.ctx);
    expect(listed.llmContent).not.toContain("scratch_orders.sql");
    const all = await runTool("list_directory", { dir_path: "db/migrate", file_filtering_options: { respect_git_ignore: false } }, ws.ctx);
    expect(all.llmContent).toContain("scratch_orders.sql");
    const many = await runTool("read_many_files", { include: ["db"] }, ws.ctx);
    expect(many.llmContent).not.toContain("DROP TABLE orders");
  });

  it("never stop read_file from reading a path named one by one", async () => {
    const result = await runTool("read_file", { file_path: "db/migrate/scratch_orders.sql" }, ws.ctx);
    expect(result.llmContent).toBe("DROP TABLE orders;");
  });

  it("translate globs to linear-time expressions with git's anchoring", () => {
    expect(gitGlobToRegex("*.log", false)).toBe("^(?:.*/)?[^/]*\\.log(?:/.*)?$");
    expect(gitGlobToRegex("docs/**/x", true)).toBe("^docs/(?:.*/)?x(?:/.*)?$");
  });
});
