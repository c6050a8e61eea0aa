import * as libpgQuery from "libpg-query";
import { describe, expect, it } from "vitest";
import { loadPgQueryWasm, parseWasm, pgQueryMemoryBytes, scanWasm } from "../../src/sql/pg-query-wasm.js";

await Promise.all([loadPgQueryWasm(), libpgQuery.loadModule()]);

const TEXTS = [
  "SELECT 1",
  "CREATE TABLE t (id bigint PRIMARY KEY, note text);\nALTER TABLE t ADD COLUMN é text DEFAULT 'café ☕ 𝄞';",
  "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; -- a comment\n/* another */ SELECT 'ü';",
  // A text longer than the first WASM pages, so that the memory grows while it is copied in and parsed.
  Array.from({ length: 3000 }, (_, i) => `ALTER TABLE orders ADD COLUMN c_${i} text DEFAULT 'é${i}';`).join("\n"),
];

const ERRORS = ["CREATE TABLE b (id int;", "SELECT 'é' FROM;", "SELECT 'unterminated", "ALTER TABLE ☕ ADD COLUMN x int DEFAULT;"];

describe("the WASM parser called directly", () => {
  it("gives libpg-query's parseSync tree, and the text's length in UTF-8 bytes", () => {
    for (const text of TEXTS) {
      const { tree, bytes } = parseWasm(text);
      expect(tree).toEqual(libpgQuery.parseSync(text));
      expect(bytes).toBe(Buffer.byteLength(text, "utf8"));
    }
  });

  it("throws libpg-query's error message and cursor position for text that does not parse", () => {
    for (const text of ERRORS) {
      const expected = captured(() => libpgQuery.parseSync(text));
      const actual = captured(() => parseWasm(text));
      expect(actual).toBeInstanceOf(Error);
      expect(actual.message).toBe(expected.message);
      const details = (actual as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
      expect(details?.message).toBe(expected.sqlDetails?.message);
      expect(details?.cursorPosition).toBe(expected.sqlDetails?.cursorPosition);
    }
  });

  it("gives libpg-query's scanSync tokens, and throws where it throws", () => {
    for (const text of [...TEXTS, ...ERRORS.slice(0, 2)]) expect(scanWasm(text)).toEqual(libpgQuery.scanSync(text));
    const unterminated = "SELECT $$ never closed";
    expect(() => scanWasm(unterminated)).toThrow(captured(() => libpgQuery.scanSync(unterminated)).message);
  });

  it("frees what it allocates: forty parses of a 3 MB copy leave the WASM memory as it was", () => {
    // Mostly a comment: cheap to parse, while each call copies a million characters in (room for 3 MB).
    const text = `-- ${"x".repeat(1_000_000)}\nSELECT 1`;
    parseWasm(text);
    scanWasm(text);
    const before = pgQueryMemoryBytes();
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 40; i++) {
      parseWasm(text);
      scanWasm(text);
      captured(() => parseWasm(`${text} FROM;`));
    }
    expect(pgQueryMemoryBytes()).toBe(before);
  });
});

function captured(run: () => unknown): Error & { sqlDetails?: { message?: string; cursorPosition?: number } } {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
