import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../../src/agent/tools/index.js";
import { MAX_LINE_CHARS } from "../../../src/agent/tools/limits.js";
import { makeWorkspace, OUTSIDE_FILES, STANDARD_LAYOUT } from "./workspace.js";
import type { TempWorkspace } from "./workspace.js";

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace(
    {
      ...STANDARD_LAYOUT,
      "long.sql": `SELECT 1;\nINSERT INTO t VALUES ('${"x".repeat(5000)}');\nSELECT 2;\n`,
      "crlf.sql": "SELECT 1;\r\nSELECT 2;\r\n",
      "empty.sql": "",
    },
    OUTSIDE_FILES,
  );
});
afterAll(async () => {
  await ws.cleanup();
});

const read = (args: unknown) => runTool("read_file", args, ws.ctx);

describe("read_file", () => {
  it("returns a small file whole, with no notes", async () => {
    const result = await read({ file_path: "db/migrate/001_create_users.sql" });
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toBe("CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text\n);");
    expect(result.display).toBe("db/migrate/001_create_users.sql: 4 lines");
  });

  it("reads a 1-based inclusive range and says which lines it shows", async () => {
    const result = await read({ file_path: "big.sql", start_line: 10, end_line: 12 });
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toContain("Showing lines 10-12 of 2,300 of 'big.sql'.");
    expect(result.llmContent).toContain("start_line: 13");
    expect(result.llmContent.endsWith("line 10\nline 11\nline 12")).toBe(true);
  });

  it("cuts a long file at 800 lines and tells how to read on", async () => {
    const first = await read({ file_path: "big.sql" });
    expect(first.llmContent).toContain("Showing lines 1-800 of 2,300 of 'big.sql' (at most 800 lines per call).");
    expect(first.llmContent).toContain("To read more, call read_file with start_line: 801.");
    expect(first.llmContent).toContain("\nline 800");
    expect(first.llmContent).not.toContain("line 801");

    const next = await read({ file_path: "big.sql", start_line: 801 });
    expect(next.llmContent).toContain("Showing lines 801-1,600 of 2,300");
    expect(next.llmContent).toContain("start_line: 1601.");

    const last = await read({ file_path: "big.sql", start_line: 2201 });
    expect(last.llmContent).toContain("Showing lines 2,201-2,300 of 2,300 of 'big.sql'.");
    expect(last.llmContent).not.toContain("To read more");
  });

  it("cuts long lines with a marker", async () => {
    const result = await read({ file_path: "long.sql" });
    expect(result.llmContent).toContain("1 line longer than 1,000 characters was cut");
    expect(result.llmContent).toContain("… [line cut: 5,026 characters in all]");
    const cut = result.llmContent.split("\n").find((l) => l.startsWith("INSERT"));
    expect(cut?.indexOf("…")).toBe(MAX_LINE_CHARS);
    expect(result.llmContent).toContain("SELECT 2;");
  });

  it("handles CRLF and empty files", async () => {
    expect((await read({ file_path: "crlf.sql" })).llmContent).toBe("SELECT 1;\nSELECT 2;");
    expect((await read({ file_path: "empty.sql" })).llmContent).toBe("File 'empty.sql' is empty.");
  });

  it("reads through a symbolic link that stays inside the workspace", async () => {
    const result = await read({ file_path: "current.sql" });
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toContain("CREATE INDEX idx_users_email");
  });

  it("rejects a start_line past the end and an end_line before start_line", async () => {
    expect((await read({ file_path: "db/schema.rb", start_line: 99 })).error?.type).toBe("invalid_params");
    const backwards = await read({ file_path: "big.sql", start_line: 10, end_line: 5 });
    expect(backwards.error?.type).toBe("invalid_params");
    expect(backwards.llmContent).toContain("end_line");
  });

  it("does not dump binary files, and says what a directory or a missing file is", async () => {
    expect((await read({ file_path: "logo.png" })).error?.type).toBe("binary_file");
    expect((await read({ file_path: "db" })).error?.type).toBe("target_is_directory");
    expect((await read({ file_path: "db/nope.sql" })).error?.type).toBe("file_not_found");
  });

  it.each([
    ["../../etc/passwd", "path_not_in_workspace"],
    ["/etc/passwd", "path_not_in_workspace"],
    ["escape.sql", "path_not_in_workspace"],
    ["escape-dir/stolen.sql", "path_not_in_workspace"],
    [".env", "path_refused"],
    ["config/.env.production", "path_refused"],
    [".git/config", "path_refused"],
    ["deploy/id_rsa", "path_refused"],
    ["secrets/database.yml", "path_refused"],
    ["env-link", "path_refused"],
    ["db/schema.rb\0", "path_refused"],
  ])("refuses %j as %s, without throwing or leaking content", async (file_path, type) => {
    const result = await read({ file_path });
    expect(result.error?.type).toBe(type);
    expect(result.llmContent.startsWith("Error: ")).toBe(true);
    expect(result.llmContent).not.toContain("hunter2");
    expect(result.llmContent).not.toContain("root:");
  });
});
