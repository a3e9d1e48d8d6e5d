import { describe, expect, it } from "vitest";
import { ACTIONS, allows, API_KEY_SCOPES, can, PLATFORM_ONLY_ACTIONS, scopeGranting } from "./permissions";

describe("permission matrix", () => {
  it("lets admins do everything on their tenant, and nothing that is the platform operator's alone", () => {
    for (const action of ACTIONS) expect(can("admin", action), action).toBe(!(PLATFORM_ONLY_ACTIONS as readonly string[]).includes(action));
    expect(can("admin", "platform.plan.manage")).toBe(false);
  });

  it("lets the platform operator's flag read usage and set the platform app's plan on any role, and grant nothing else", () => {
    for (const role of ["accountant", "admin", "auditor"] as const) {
      const operator = { role, isPlatformOperator: true };
      expect(allows(operator, "usage.read"), role).toBe(true);
      expect(allows(operator, "platform.plan.manage"), role).toBe(true);
      // A tenant's own app is its admins' to plan, not the operator's.
      expect(allows(operator, "usage.plan.manage"), role).toBe(role === "admin");
      expect(allows(operator, "credentials.manage"), role).toBe(role === "admin");
    }
    expect(allows({ role: "accountant", isPlatformOperator: false }, "usage.read")).toBe(false);
    expect(allows({ role: "auditor", isPlatformOperator: false }, "usage.read")).toBe(false);
    expect(allows({ role: "admin", isPlatformOperator: false }, "usage.read")).toBe(true);
    for (const scope of API_KEY_SCOPES) {
      for (const action of ["usage.read", "usage.plan.manage", "platform.plan.manage"] as const) expect(scopeGranting([scope], action)).toBeNull();
    }
  });

  it("lets accountants connect, verify, renew and disconnect but not read logs or credentials", () => {
    expect(can("accountant", "quickbooks.connect")).toBe(true);
    expect(can("accountant", "quickbooks.verify")).toBe(true);
    expect(can("accountant", "quickbooks.refresh")).toBe(true);
    expect(can("accountant", "quickbooks.disconnect")).toBe(true);
    expect(can("accountant", "logs.read")).toBe(false);
    expect(can("accountant", "credentials.manage")).toBe(false);
    expect(can("accountant", "tenants.overview")).toBe(false);
  });

  it("keeps auditors read-only", () => {
    expect(can("auditor", "quickbooks.status.read")).toBe(true);
    expect(can("auditor", "logs.export")).toBe(true);
    for (const action of ["quickbooks.connect", "quickbooks.verify", "quickbooks.refresh", "quickbooks.disconnect", "credentials.manage", "tenants.overview"] as const) {
      expect(can("auditor", action)).toBe(false);
    }
  });

  it("lets every role of the tenant read the health dashboard, and no API key scope", () => {
    expect(can("admin", "health.read")).toBe(true);
    expect(can("accountant", "health.read")).toBe(true);
    expect(can("auditor", "health.read")).toBe(true);
    for (const scope of API_KEY_SCOPES) expect(scopeGranting([scope], "health.read")).toBeNull();
  });
});
