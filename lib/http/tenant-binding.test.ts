import { describe, expect, it } from "vitest";
import { TENANT_HEADER, tenantBinding, tenantClaimOf, tenantMismatchMessage } from "./tenant-binding";

const ACME = "0f8fad5b-d9cb-469f-a165-70867728950e";
const GLOBEX = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("tenantClaimOf", () => {
  it("reads the header on any method", () => {
    expect(tenantClaimOf(new Request("http://x/api", { method: "POST", headers: { [TENANT_HEADER]: ` ${ACME} ` } }))).toBe(ACME);
    expect(tenantClaimOf(new Request("http://x/api", { headers: { [TENANT_HEADER]: ACME } }))).toBe(ACME);
  });

  it("reads ?tenant= on a GET (a link), never on a POST, and prefers the header", () => {
    expect(tenantClaimOf(new Request(`http://x/api/quickbooks/connect?tenant=${ACME}`))).toBe(ACME);
    expect(tenantClaimOf(new Request(`http://x/api?tenant=${ACME}`, { method: "POST" }))).toBeNull();
    expect(tenantClaimOf(new Request(`http://x/api?tenant=${ACME}`, { headers: { [TENANT_HEADER]: GLOBEX } }))).toBe(GLOBEX);
    expect(tenantClaimOf(new Request("http://x/api"))).toBeNull();
  });

  it("reads a header sent twice as one value that names no tenant", () => {
    const headers = new Headers();
    headers.append(TENANT_HEADER, ACME);
    headers.append(TENANT_HEADER, ACME);
    expect(tenantBinding(tenantClaimOf(new Request("http://x/api", { method: "POST", headers })), ACME, true).kind).toBe("mismatch");
  });
});

describe("tenantBinding", () => {
  it("binds a request that names the active tenant, in either case", () => {
    expect(tenantBinding(ACME, ACME, true)).toEqual({ kind: "bound" });
    expect(tenantBinding(ACME.toUpperCase(), ACME, false)).toEqual({ kind: "bound" });
  });

  it("refuses a change that names no tenant; a read may name none", () => {
    expect(tenantBinding(null, ACME, true)).toEqual({ kind: "missing" });
    expect(tenantBinding("", ACME, true)).toEqual({ kind: "missing" });
    expect(tenantBinding(null, ACME, false)).toEqual({ kind: "unbound" });
  });

  it("refuses another tenant, or anything that is not the active tenant's id, read or change", () => {
    for (const claim of [GLOBEX, "garbage", "' or 1=1 --", `${ACME}, ${ACME}`]) {
      expect(tenantBinding(claim, ACME, true)).toEqual({ kind: "mismatch", claimed: claim });
      expect(tenantBinding(claim, ACME, false)).toEqual({ kind: "mismatch", claimed: claim });
    }
  });
});

describe("tenantMismatchMessage", () => {
  it("names both tenants and says to reload", () => {
    expect(tenantMismatchMessage("Acme Field Services", "Globex Logistics")).toBe(
      "This page is for Acme Field Services, but your session now acts for Globex Logistics. Nothing was changed. Reload to continue.",
    );
    expect(tenantMismatchMessage(null, "Globex Logistics")).toMatch(/^This page is for another tenant, but .*Reload/);
  });
});
