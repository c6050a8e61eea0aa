import { describe, expect, it } from "vitest";
import { MAX_SKIPPED_LISTED, toLintText } from "../../src/report/lint-text.js";

describe("toLintText's skipped files", () => {
  it("lists every skipped file up to the cap", () => {
    const skipped = [{ path: "a.mysql.up.sql", reason: "MySQL migration (file name says .mysql.): not reviewed, data-engineer reads PostgreSQL" }];
    expect(toLintText([], skipped, 0)).toContain(`a.mysql.up.sql: skipped (${skipped[0]?.reason})`);
  });

  it("counts the rest past the cap: a multi-database repository has thousands", () => {
    const skipped = Array.from({ length: MAX_SKIPPED_LISTED + 5 }, (_, i) => ({ path: `m/${i}.sqlite3.up.sql`, reason: "SQLite migration" }));
    const text = toLintText([], skipped, 0);
    expect(text.match(/: skipped \(/g)?.length).toBe(MAX_SKIPPED_LISTED);
    expect(text).toContain("… and 5 more skipped (--format json lists them all)");
  });
});
