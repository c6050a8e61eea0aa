import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../../src/agent/tools/index.js";
import { MAX_FILE_BYTES } from "../../../src/agent/tools/limits.js";
import { makeWorkspace, type TempWorkspace } from "./workspace.js";

/** A schema dump over the read limit (Rails structure.sql, pg_dump output): visible, readable by range. */
const LINES = 120_000;
const dump = Array.from({ length: LINES }, (_, i) => `-- ${String(i + 1).padStart(6, "0")} CREATE TABLE t${i} (id bigint PRIMARY KEY);`).join("\n") + "\n";

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace({ "db/structure.sql": dump });
});
afterAll(async () => {
  await ws.cleanup();
});

describe("a file over the read limit", () => {
  it("is bigger than the limit in this test", () => {
    expect(Buffer.byteLength(dump)).toBeGreaterThan(MAX_FILE_BYTES);
  });

  it("is named with its size, and how to read it, when read whole", async () => {
    const result = await runTool("read_file", { file_path: "db/structure.sql" }, ws.ctx);
    expect(result.error?.type).toBe("file_too_large");
    expect(result.llmContent).toContain(`File 'db/structure.sql' is too large: ${Buffer.byteLength(dump).toLocaleString("en-US")} bytes`);
    expect(result.llmContent).toContain("Read a range with start_line and end_line (offset/limit)");
  });

  it("is read by range, with the line count and where to go on", async () => {
    const result = await runTool("read_file", { file_path: "db/structure.sql", start_line: 100_000, end_line: 100_002 }, ws.ctx);
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toContain(`Showing lines 100,000-100,002 of ${LINES.toLocaleString("en-US")} of 'db/structure.sql'`);
    expect(result.llmContent).toContain("start_line: 100003");
    expect(result.llmContent.split("\n\n")[1]).toBe(
      [
        "-- 100000 CREATE TABLE t99999 (id bigint PRIMARY KEY);",
        "-- 100001 CREATE TABLE t100000 (id bigint PRIMARY KEY);",
        "-- 100002 CREATE TABLE t100001 (id bigint PRIMARY KEY);",
      ].join("\n"),
    );
    expect(result.filesRead).toEqual(["db/structure.sql"]);
  });

  it("is listed with its size", async () => {
    const result = await runTool("list_directory", { dir_path: "db" }, ws.ctx);
    expect(result.llmContent).toContain(`structure.sql (${Buffer.byteLength(dump).toLocaleString("en-US")} bytes)`);
  });
});
