import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/commands/parse.js";

describe("parseCommand", () => {
  it.each([
    "Looks good to me",
    "> /data-engineer review",
    "please /data-engineer review",
    "/data-engineers review",
    "/data-engineer-review",
    "/dataengineer review",
    "",
    "Thanks!\n/data-engineer review",
  ])("is not a command: %j", (body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  it.each([
    ["/data-engineer", "review"],
    ["/data-engineer review", "review"],
    ["  /data-engineer   review  ", "review"],
    ["/DATA-ENGINEER Review", "review"],
    ["/Data-Engineer\tfull-review", "full-review"],
    ["/data-engineer full-review\r\nbecause the rules changed", "full-review"],
    ["/data-engineer config", "config"],
    ["/data-engineer pause", "pause"],
    ["/data-engineer RESUME", "resume"],
    ["/data-engineer help\n\nI am lost", "help"],
  ])("reads %j as %s", (body, name) => {
    expect(parseCommand(body)).toEqual({ ok: true, command: { name } });
  });

  it("takes the question from the rest of the first line and the lines after it", () => {
    expect(parseCommand("/data-engineer ask Does anything still read orders.state?\r\nI mean the workers.\n\nThanks ")).toEqual({
      ok: true,
      command: { name: "ask", question: "Does anything still read orders.state?\nI mean the workers.\n\nThanks" },
    });
    expect(parseCommand("/data-engineer ask\nWhat locks does 0042 take?")).toEqual({
      ok: true,
      command: { name: "ask", question: "What locks does 0042 take?" },
    });
  });

  it("refuses ask without a question, or with one too long", () => {
    expect(parseCommand("/data-engineer ask   ")).toEqual({ ok: false, problem: expect.stringContaining("`ask` needs a question") });
    const long = parseCommand(`/data-engineer ask ${"x".repeat(4_001)}`);
    expect(long).toEqual({ ok: false, problem: expect.stringContaining("at most 4,000") });
  });

  it("takes exactly one rule id for explain, in any case, with or without backticks", () => {
    expect(parseCommand("/data-engineer explain Ban-Drop-Table")).toEqual({ ok: true, command: { name: "explain", rule: "ban-drop-table" } });
    expect(parseCommand("/data-engineer explain `require-concurrent-index`")).toEqual({
      ok: true,
      command: { name: "explain", rule: "require-concurrent-index" },
    });
    expect(parseCommand("/data-engineer explain")).toEqual({ ok: false, problem: expect.stringContaining("takes one rule id") });
    expect(parseCommand("/data-engineer explain a b")).toEqual({ ok: false, problem: expect.stringContaining("takes one rule id") });
    expect(parseCommand("/data-engineer explain ../../etc/passwd")).toEqual({ ok: false, problem: expect.stringContaining("is not a rule id") });
  });

  it("allows no arguments where none are taken: nothing in a comment reaches the configuration", () => {
    expect(parseCommand("/data-engineer review --no-agent")).toEqual({ ok: false, problem: "`review` takes no arguments." });
    expect(parseCommand("/data-engineer config failOn=never")).toEqual({ ok: false, problem: "`config` takes no arguments." });
    expect(parseCommand("/data-engineer pause for 2 days")).toEqual({ ok: false, problem: "`pause` takes no arguments." });
  });

  it("names an unknown subcommand safely", () => {
    expect(parseCommand("/data-engineer approve")).toEqual({ ok: false, problem: "`approve` is not a command." });
    const sneaky = parseCommand("/data-engineer `@admin`<b>");
    expect(sneaky).toEqual({ ok: false, problem: "`` `@admin`<b> `` is not a command." });
    const long = parseCommand(`/data-engineer ${"z".repeat(100)}`);
    expect(long?.ok === false && long.problem.length).toBeLessThanOrEqual(60);
  });
});
