import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AgentFindingSchema, AGENT_FINDING_CATEGORIES, HandoffReportSchema, submitReportDeclaration } from "../../src/agent/handoff-report.js";
import { BUNDLED_AGENT_FILE } from "../../src/agent/runtime.js";

/**
 * The definition's body tells the model what the Handoff Report holds; the finishing tool's schema
 * decides what is accepted. They must say the same thing, field for field: a body that asks for a
 * field the schema refuses costs a rejected call, and a schema field the body never mentions is
 * left to guesswork.
 */

const body = readFileSync(BUNDLED_AGENT_FILE, "utf8");

/** The `(fieldName)` of every "- **Label** (`fieldName`…)" bullet below a heading, up to the next heading. */
function fieldsUnder(heading: string): string[] {
  const start = body.indexOf(`${heading}\n`);
  expect(start, `the definition has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const rest = body.slice(start + heading.length + 1);
  const end = rest.search(/^#{2,3} /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/\*\*[^*]+\*\* \(`(\w+)`/g)].map((m) => m[1] ?? "");
}

describe("the definition's Output Contract and submit_handoff_report", () => {
  it("list the same Part 1 fields", () => {
    expect(fieldsUnder("### Part 1 — Task Report (`part1`)").sort()).toEqual(Object.keys(HandoffReportSchema.shape.part1.shape).sort());
  });

  it("list the same Part 2 fields", () => {
    expect(fieldsUnder("### Part 2 — Downstream Context (`part2`)").sort()).toEqual(Object.keys(HandoffReportSchema.shape.part2.shape).sort());
  });

  it("list the same finding fields and categories", () => {
    expect(fieldsUnder("## Findings").sort()).toEqual(Object.keys(AgentFindingSchema.shape).sort());
    const categoryLine = body.split("\n").find((l) => l.includes("**Category** (`category`)")) ?? "";
    expect(categoryLine.split(": ").at(1)?.split(" | ")).toEqual([...AGENT_FINDING_CATEGORIES]);
  });

  it("name the three top-level parts, and no field the schema refuses", () => {
    expect(Object.keys(HandoffReportSchema.shape).sort()).toEqual(["findings", "part1", "part2"]);
    for (const part of ["`part1`", "`part2`", "`findings`"]) expect(body).toContain(part);
    // The seed's fields for writing agents: the read-only review has none, and the body says so
    // rather than asking for them.
    expect(body).not.toMatch(/^- \*\*Files (Created|Modified|Deleted)\*\*/m);
    expect(body).not.toMatch(/^- \*\*Validation Output\*\*/m);
    expect(submitReportDeclaration().name).toBe("submit_handoff_report");
    expect(body).toContain("submit_handoff_report");
  });
});
