import { describe, expect, it } from "vitest";
import { REVIEW_TOOLS, toolDeclaration } from "../../../src/agent/tools/index.js";

describe("tool declarations sent to the model", () => {
  it("match the committed snapshot (review any change to what the model reads)", () => {
    expect(Object.values(REVIEW_TOOLS).map(toolDeclaration)).toMatchSnapshot();
  });
});
