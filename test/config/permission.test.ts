import { describe, expect, it } from "vitest";
import { effectiveRole, meetsPermission } from "../../src/config/permission.js";

describe("command permissions", () => {
  it.each([
    [{ permission: "write", roleName: "maintain" }, "maintain"],
    [{ permission: "read", roleName: "triage" }, "triage"],
    [{ permission: "admin", roleName: "admin" }, "admin"],
    [{ permission: "write" }, "write"],
    // A custom role's name: GitHub's base permission for it decides.
    [{ permission: "write", roleName: "security-engineer" }, "write"],
    [{ permission: "none", roleName: "" }, "none"],
    [{ permission: "something-new" }, "none"],
  ] as const)("%j is %s", (answer, role) => {
    expect(effectiveRole(answer)).toBe(role);
  });

  it("orders roles admin > maintain > write > triage > read", () => {
    expect(meetsPermission("write", "write")).toBe(true);
    expect(meetsPermission("triage", "write")).toBe(false);
    expect(meetsPermission("read", "write")).toBe(false);
    expect(meetsPermission("write", "maintain")).toBe(false);
    expect(meetsPermission("maintain", "maintain")).toBe(true);
    expect(meetsPermission("admin", "admin")).toBe(true);
    expect(meetsPermission("maintain", "admin")).toBe(false);
    expect(meetsPermission("none", "write")).toBe(false);
  });
});
