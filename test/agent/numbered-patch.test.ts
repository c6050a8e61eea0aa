import { describe, expect, it } from "vitest";
import { numberPatch } from "../../src/agent/numbered-patch.js";

describe("numberPatch", () => {
  it("writes the new file's line number on added and unchanged lines, none on removed ones", () => {
    const patch =
      "@@ -1,3 +1,4 @@\n SET lock_timeout = '2s';\n-ALTER TABLE orders ADD COLUMN state text;\n+ALTER TABLE orders ADD COLUMN status text;\n+CREATE INDEX i ON orders (status);\n COMMIT;\n@@ -40,1 +41,2 @@\n-x\n+y\n+z\n\\ No newline at end of file";
    expect(numberPatch(patch).split("\n")).toEqual([
      "@@ -1,3 +1,4 @@",
      "    1   SET lock_timeout = '2s';",
      "      - ALTER TABLE orders ADD COLUMN state text;",
      "    2 + ALTER TABLE orders ADD COLUMN status text;",
      "    3 + CREATE INDEX i ON orders (status);",
      "    4   COMMIT;",
      "@@ -40,1 +41,2 @@",
      "      - x",
      "   41 + y",
      "   42 + z",
      "\\ No newline at end of file",
    ]);
  });
});
