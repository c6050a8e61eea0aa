import { describe, expect, it } from "vitest";
import { checkExplanation, demoReviewInput } from "../../src/cli/commands/demo.js";
import { buildReview } from "../../src/review/build-review.js";
import { assumedTableSizes } from "../../src/rules/table-sizes.js";

/**
 * The demo (examples/demo) shows the three tiers and why the required check fails: the findings
 * as data, whatever the review's layout.
 */
describe("the demo's findings", () => {
  it("has an error, a warning and a policy finding, and fails the check on its errors", async () => {
    const { input } = await demoReviewInput();
    const review = buildReview(input);
    const at = (rule: string, path: string) => review.findings.filter((f) => f.rule === rule && f.path.endsWith(path)).map((f) => f.severity);
    // NOT NULL without a default on the 40M-row orders table.
    expect(at("add-required-column", "20261101120000_add_order_status.up.sql")).toEqual(["error"]);
    // The down drops the pre-existing orders.state (a typo for status): a rollback would destroy it.
    expect(at("rollback-mismatch", "20261101120000_add_order_status.down.sql")).toEqual(["error"]);
    // The index build under SHARE on orders, with its estimate.
    expect(at("require-concurrent-index", "20261101120000_add_order_status.up.sql")).toEqual(["error"]);
    expect(review.findings.find((f) => f.rule === "require-concurrent-index")?.message).toContain("about 40 s (40,000,000 rows)");
    // Rollback gaps are warnings.
    expect(at("missing-rollback", "20261102090000_link_customers.up.sql")).toEqual(["warning"]);
    expect(at("empty-rollback", "3f2a9c1d_add_order_note.py")).toEqual(["warning"]);
    // A timeout requirement is policy.
    expect(review.findings.filter((f) => f.severity === "note").map((f) => f.rule)).toContain("require-statement-timeout");
    expect(review.check.conclusion).toBe("failure");
  });

  it("says what the required check concludes and why: the failOn rule and one finding of each tier", async () => {
    const { input } = await demoReviewInput();
    const review = buildReview(input);
    const text = checkExplanation(review, input.config);
    const count = (tier: string) => review.findings.filter((f) => f.severity === tier).length;
    expect(text.split("\n")[0]).toBe("Why the required check says failure:");
    expect(text).toContain(`- ${count("error")} × Error (blocks production or is refused by Postgres: fails the required check), e.g. `);
    expect(text).toContain(`- ${count("warning")} × Warning (`);
    expect(text).toContain(`- ${count("note")} × Policy (an opinion (policy): listed once in the review body, not inline), e.g. `);
    expect(text).toContain("The check fails: errors fail it (failOn: error, the default); preset recommended.");
    // A configuration that lets nothing fail says so.
    const lenient = checkExplanation({ ...review, check: { ...review.check, conclusion: "success" } }, { ...input.config, failOn: "never" });
    expect(lenient).toContain("The check passes: findings never fail it (failOn: never)");
  });

  it("assumes orders large and customers small, as its configuration says", async () => {
    const { input } = await demoReviewInput();
    expect(assumedTableSizes(input.config, ["orders", "customers"]).map((t) => [t.table, t.size])).toEqual([
      ["orders", "large"],
      ["customers", "small"],
    ]);
  });
});
