import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../../src/agent/tools/index.js";
import { MAX_READ_MANY_FILES } from "../../../src/agent/tools/limits.js";
import { makeWorkspace, numberedLines, OUTSIDE_FILES, STANDARD_LAYOUT } from "./workspace.js";
import type { Layout, TempWorkspace } from "./workspace.js";

const MANY: Layout = Object.fromEntries(
  Array.from({ length: MAX_READ_MANY_FILES + 5 }, (_, i) => [`many/f${String(i).padStart(2, "0")}.sql`, `SELECT ${i};\n`]),
);

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace(
    {
      ...STANDARD_LAYOUT,
      ...MANY,
      "dist/bundle.sql": "SELECT 'built';\n",
      "db/migrate/old/000_init.sql": "CREATE SCHEMA app;\n",
      "dumps/a.sql": `${"x".repeat(900)}\n`.repeat(100),
      "dumps/b.sql": `${"y".repeat(900)}\n`.repeat(100),
      "dumps/c.sql": numberedLines(10),
    },
    OUTSIDE_FILES,
  );
});
afterAll(async () => {
  await ws.cleanup();
});

const readMany = (args: unknown) => runTool("read_many_files", args, ws.ctx);

describe("read_many_files", () => {
  it("concatenates the files named by path and glob, each after a header", async () => {
    const result = await readMany({ include: ["db/schema.rb", "db/migrate/*.sql"] });
    expect(result.error).toBeUndefined();
    expect(result.llmContent.split("\n\n(")[0]).toBe(
      [
        `--- db/schema.rb ---\n${STANDARD_LAYOUT["db/schema.rb"] as string}`.trimEnd(),
        "--- db/migrate/001_create_users.sql ---\nCREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text\n);",
        "--- db/migrate/002_add_index.sql ---\n-- index for lookups\nCREATE INDEX idx_users_email ON users (email);",
        "--- End of content ---",
      ].join("\n\n"),
    );
    expect(result.display).toBe("read_many_files: 3 files read");
  });

  it("reads directories, recursively unless told not to", async () => {
    const deep = await readMany({ include: ["db/migrate"] });
    expect(deep.llmContent).toContain("--- db/migrate/old/000_init.sql ---");
    const shallow = await readMany({ include: ["db/migrate"], recursive: false });
    expect(shallow.llmContent).not.toContain("000_init.sql");
    expect(shallow.llmContent).toContain("--- db/migrate/002_add_index.sql ---");
  });

  it("reports refused, missing, binary and outside paths as skipped, with reasons", async () => {
    const result = await readMany({
      include: [
        "db/schema.rb",
        ".env",
        "config/.env.production",
        ".git/config",
        "deploy/id_rsa",
        "../../etc/passwd",
        "/etc/passwd",
        "escape.sql",
        "logo.png",
        "nope.sql",
        "*.nothing",
      ],
    });
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toContain("--- db/schema.rb ---");
    expect(result.llmContent).not.toContain("hunter2");
    expect(result.llmContent).not.toContain("root:");
    expect(result.llmContent).toContain("Skipped 10 paths:");
    expect(result.llmContent).toContain("- .env: refused");
    expect(result.llmContent).toContain("- config/.env.production: refused");
    expect(result.llmContent).toContain("- .git/config: refused");
    expect(result.llmContent).toContain("- deploy/id_rsa: refused");
    expect(result.llmContent).toContain("- ../../etc/passwd: outside the workspace");
    expect(result.llmContent).toContain("- /etc/passwd: outside the workspace");
    expect(result.llmContent).toContain("- escape.sql: outside the workspace");
    expect(result.llmContent).toContain("- logo.png: binary file");
    expect(result.llmContent).toContain("- nope.sql: not found");
    expect(result.llmContent).toContain("- *.nothing: no file matches this pattern");
  });

  it("never reads refused files found through globs", async () => {
    const result = await readMany({ include: ["**/*"], useDefaultExcludes: false });
    expect(result.llmContent).not.toContain("hunter2");
    expect(result.llmContent).not.toMatch(/--- (\.env|\.git|deploy\/id_rsa|secrets|node_modules|escape)/);
  });

  it("applies exclude patterns and the default excludes", async () => {
    const result = await readMany({ include: ["**/*.sql"], exclude: ["many/**", "big.sql", "dumps"] });
    expect(result.llmContent).toContain("--- db/migrate/001_create_users.sql ---");
    expect(result.llmContent).not.toMatch(/--- (many|big\.sql|dist|dumps)/);
    expect(result.llmContent).toMatch(/files? left out by exclude or default excludes/);
    const named = await readMany({ include: ["dist/bundle.sql"] });
    expect(named.llmContent).toContain("--- dist/bundle.sql ---");
  });

  it("reads at most the file limit and names the rest", async () => {
    const result = await readMany({ include: ["many/*.sql"] });
    expect(result.llmContent.match(/^--- many\//gm)).toHaveLength(MAX_READ_MANY_FILES);
    expect(result.llmContent).toContain(`- many/f24.sql: not read: over the limit of ${MAX_READ_MANY_FILES} files per call`);
    expect(result.llmContent).toContain("call read_many_files again");
  });

  it("cuts long files and says how to read on", async () => {
    const result = await readMany({ include: ["big.sql", "dumps/c.sql"] });
    expect(result.llmContent).toContain("[Showing lines 1-800 of 2,300. To read more, call read_file with file_path: 'big.sql' and start_line: 801.]");
    expect(result.llmContent).toContain("--- dumps/c.sql ---\nline 1\n");
  });

  it("stops at the character budget", async () => {
    const files = Array.from({ length: 2 }, () => ["dumps/a.sql", "dumps/b.sql"]).flat();
    const result = await readMany({ include: [...files, "many/f00.sql", "db/schema.rb"], exclude: [] });
    expect(result.llmContent.length).toBeLessThan(125_000);
    expect(result.llmContent).toContain("--- dumps/a.sql ---");
  });
});
