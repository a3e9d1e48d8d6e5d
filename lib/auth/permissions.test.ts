import { describe, expect, it } from "vitest";
import { ACTIONS, API_KEY_SCOPES, can, scopeGranting } from "./permissions";

describe("permission matrix", () => {
  it("lets admins do everything", () => {
    for (const action of ACTIONS) expect(can("admin", action)).toBe(true);
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
