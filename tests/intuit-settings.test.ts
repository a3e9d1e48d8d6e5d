import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as getSettings, PUT as putSettings } from "@/app/api/quickbooks/settings/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { db } from "@/db";
import { auditEvents, intuitCredentials, tenantIntuitSettings } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
useIntuitMock();

function put(cookie: string, body: unknown) {
  const request = appRequest("/api/quickbooks/settings", { method: "PUT", cookie });
  return putSettings(new Request(request, { body: typeof body === "string" ? body : JSON.stringify(body), headers: { ...Object.fromEntries(request.headers), "content-type": "application/json" } }));
}

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
  const acme = await tenantId("acme");
  await db().delete(intuitCredentials).where(eq(intuitCredentials.tenantId, acme));
  await db().delete(tenantIntuitSettings).where(eq(tenantIntuitSettings.tenantId, acme));
});

describe("Intuit settings", () => {
  it("should be protected: accountants and auditors get 403, signed-out 401", async () => {
    expect((await getSettings(appRequest("/api/quickbooks/settings"))).status).toBe(401);
    for (const email of ["accountant@acme.test", "auditor@acme.test"]) {
      const cookie = await sessionCookie(email);
      expect((await getSettings(appRequest("/api/quickbooks/settings", { cookie }))).status).toBe(403);
      expect((await put(cookie, { environment: "sandbox", clientId: "someone-else", clientSecret: "someone-elses-secret" })).status).toBe(403);
    }
    expect(await db().select().from(intuitCredentials)).toHaveLength(0);
  });

  it("stores the secret sealed and write-only: only its last four characters come back", async () => {
    const admin = await sessionCookie("admin@acme.test");
    const response = await put(admin, { environment: "sandbox", clientId: "ABcdClientId0001", clientSecret: "super-secret-value-9876" });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).not.toContain("super-secret-value-9876");
    const view = JSON.parse(body);
    expect(view.credentials).toEqual([expect.objectContaining({ environment: "sandbox", clientId: "ABcdClientId0001", secretLast4: "9876", setBy: "admin@acme.test" })]);
    expect(view.activeCredentialsSource).toBe("tenant");
    expect(view.portalUrls.map((u: { label: string }) => u.label)).toEqual(["Redirect URI", "Launch URL", "Disconnect URL", "Reconnect URL", "Webhook endpoint"]);

    const [stored] = await db().select().from(intuitCredentials);
    expect(stored!.clientSecretEnc).toMatch(/^v1\./);
    expect(JSON.stringify(stored)).not.toContain("super-secret-value-9876");

    const actions = (await db().select().from(auditEvents).where(eq(auditEvents.tenantId, await tenantId("acme")))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["credentials.changed", "credentials.viewed"]));
    const changed = (await db().select().from(auditEvents).where(eq(auditEvents.action, "credentials.changed")))[0]!;
    expect(JSON.stringify(changed.details)).not.toContain("super-secret-value-9876");
  });

  it("keeps the stored secret when only the client id changes, and refuses an id without any secret", async () => {
    const admin = await sessionCookie("admin@acme.test");
    const incomplete = await put(admin, { environment: "sandbox", clientId: "OnlyTheClientId" });
    expect(incomplete.status).toBe(400);
    expect((await incomplete.json()).error.code).toBe("incomplete_credentials");
    await put(admin, { environment: "sandbox", clientId: "FirstClientId01", clientSecret: "first-secret-abcd" });
    const [before] = await db().select().from(intuitCredentials);
    await put(admin, { environment: "sandbox", clientId: "SecondClientId2" });
    const [after] = await db().select().from(intuitCredentials);
    expect(after).toMatchObject({ clientId: "SecondClientId2", secretLast4: "abcd", clientSecretEnc: before!.clientSecretEnc });
  });

  it("refuses bad input with a clear error and changes nothing", async () => {
    const admin = await sessionCookie("admin@acme.test");
    for (const body of ["not json", { environment: "staging" }, { environment: "sandbox", redirectUri: "javascript:alert(1)" }, { environment: "sandbox", extra: 1 }]) {
      const response = await put(admin, body);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(await db().select().from(intuitCredentials)).toHaveLength(0);
    expect(await db().select().from(tenantIntuitSettings)).toHaveLength(0);
  });

  it("changing the Intuit app invalidates the connection and asks for a reconnect", async () => {
    const { tenantId: acme, cookie } = await connectTenant("accountant@acme.test");
    const admin = await sessionCookie("admin@acme.test");
    await put(admin, { environment: "sandbox", clientId: "AnotherClientId1", clientSecret: "another-secret-1234" });
    expect((await connectionRow(acme))!).toMatchObject({ status: "reauthorization_required", lastErrorCode: "credentials_changed" });
    const status = await (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json();
    expect(status.indicator).toBe("red");
    expect(status.reasons.join(" ")).toMatch(/Reauthorization required/);
  });

  it("choosing the production environment leaves the sandbox connection connected: its app did not change", async () => {
    const { tenantId: acme } = await connectTenant("accountant@acme.test");
    const admin = await sessionCookie("admin@acme.test");
    expect((await put(admin, { environment: "production", clientId: "ProductionClientId1", clientSecret: "production-secret-1234" })).status).toBe(200);
    // Before: flagged for reauthorization, so the mappings could no longer be validated in the sandbox after the move.
    expect((await connectionRow(acme))!).toMatchObject({ status: "active", lastErrorCode: null });
    // Changing the sandbox app itself still does.
    await put(admin, { environment: "sandbox", clientId: "AnotherClientId1", clientSecret: "another-secret-1234" });
    expect((await connectionRow(acme))!).toMatchObject({ status: "reauthorization_required", lastErrorCode: "credentials_changed" });
  });

  it("a wrong redirect URI fails the callback check and turns the indicator red", async () => {
    await connectTenant("accountant@acme.test");
    const admin = await sessionCookie("admin@acme.test");
    await put(admin, { environment: "sandbox", redirectUri: "https://elsewhere.example.com/callback" });
    const status = await (await statusRoute(appRequest("/api/quickbooks/status", { cookie: admin }))).json();
    const callback = status.checklist.find((c: { name: string }) => c.name === "Callback redirect is validated");
    expect(callback).toMatchObject({ passed: false, action: expect.stringContaining("http://localhost:3000/api/quickbooks/callback") });
    expect(status.indicator).toBe("red");
    const [settings] = await db().select().from(tenantIntuitSettings).where(and(eq(tenantIntuitSettings.tenantId, await tenantId("acme"))));
    expect(settings!.redirectUri).toBe("https://elsewhere.example.com/callback");
  });
});
