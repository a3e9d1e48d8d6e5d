// Every change names its tenant (issue 15, point 3; contract, "Tenant binding"). A console page sends the tenant it was
// rendered for in x-qbc-tenant (the Connect link in ?tenant=); a session request naming another tenant than the
// session's active one is refused with 409 tenant_mismatch, and one that changes something without naming any with
// 428 tenant_required. Refused requests change nothing and call no one.
import { beforeEach, describe, expect, it } from "vitest";
import { GET as connectRoute } from "@/app/api/quickbooks/connect/route";
import { POST as disconnectRoute } from "@/app/api/quickbooks/disconnect/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { ROUTE_ACTIONS } from "@/lib/auth/permissions";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { issueApiKey, keyRequest } from "./api-key-helper";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { quietSnapshot } from "./fixtures/quiet-snapshot";
import { ROUTES, routeHandlers, routeUrl, type Method } from "./fixtures/routes";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const GLOBEX_REALM = "9341452000000002";
const STALE_ACME_PAGE =
  "This page is for Acme Field Services, but your session now acts for Globex Logistics. Nothing was changed. Reload to continue.";

const snapshot = () => quietSnapshot(intuit);

beforeEach(async () => {
  await resetQuickBooksData();
});

describe("a console tab rendered for Acme, once the session acts for Globex", () => {
  it("cannot disconnect Globex: 409 tenant_mismatch naming both tenants, and nothing changes anywhere", async () => {
    const acme = await connectTenant("accountant@acme.test");
    const globex = await connectTenant("accountant@globex.test", GLOBEX_REALM);
    // admin@acme.test belongs to both: the Acme tab is still open, the session was switched to Globex in another tab.
    const session = await sessionCookie("admin@acme.test", "globex");
    const before = await snapshot();

    const response = await disconnectRoute(appRequest("/api/quickbooks/disconnect", { method: "POST", cookie: session, tenant: acme.tenantId }));
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: { code: "tenant_mismatch", message: STALE_ACME_PAGE } });
    expect(await snapshot()).toEqual(before);
    expect((await connectionRow(globex.tenantId))!.status).toBe("active");
    expect(intuit.emulator.activeTokens({ realmId: GLOBEX_REALM }).length).toBeGreaterThan(0);

    // The same click from a page rendered for Globex is the person's intent: it goes through.
    const meant = await disconnectRoute(appRequest("/api/quickbooks/disconnect", { method: "POST", cookie: session, tenant: globex.tenantId }));
    expect(meant.status).toBe(200);
    expect((await connectionRow(globex.tenantId))!.status).toBe("disconnected");
    expect((await connectionRow(acme.tenantId))!.status).toBe("active");
  });

  it("gets 409 on its status poll too, while a page of Globex, or a page load that names no tenant, reads Globex", async () => {
    const acme = await connectTenant("accountant@acme.test");
    await connectTenant("accountant@globex.test", GLOBEX_REALM);
    const session = await sessionCookie("admin@acme.test", "globex");

    const stale = await statusRoute(appRequest("/api/quickbooks/status", { cookie: session, tenant: acme.tenantId }));
    expect(stale.status).toBe(409);
    expect(await stale.json()).toEqual({ error: { code: "tenant_mismatch", message: STALE_ACME_PAGE } });

    for (const tenant of [await tenantId("globex"), null]) {
      const fresh = await statusRoute(appRequest("/api/quickbooks/status", { cookie: session, tenant }));
      expect(fresh.status).toBe(200);
      expect(((await fresh.json()) as { connection: { realmId: string } }).connection.realmId).toBe(GLOBEX_REALM);
    }
  });

  it("cannot start an authorization for Globex from its Connect link: the person lands on the console, told that nothing started", async () => {
    const acme = await tenantId("acme");
    const globex = await tenantId("globex");
    const session = await sessionCookie("admin@acme.test", "globex");
    const before = await snapshot();

    const clicked = await connectRoute(appRequest(`/api/quickbooks/connect?tenant=${acme}`, { cookie: session, tenant: null, accept: "text/html" }));
    expect(clicked.status).toBe(302);
    expect(new URL(clicked.headers.get("location")!).pathname + new URL(clicked.headers.get("location")!).search).toBe(
      "/integrations/quickbooks?callback=tenant_mismatch",
    );
    const unnamed = await connectRoute(appRequest("/api/quickbooks/connect", { cookie: session, tenant: null, accept: "text/html" }));
    expect(new URL(unnamed.headers.get("location")!).searchParams.get("callback")).toBe("tenant_required");
    const api = await connectRoute(appRequest(`/api/quickbooks/connect?tenant=${acme}`, { cookie: session, tenant: null }));
    expect([api.status, ((await api.json()) as { error: { code: string } }).error.code]).toEqual([409, "tenant_mismatch"]);
    expect(await snapshot()).toEqual(before);

    // The link of a Globex page starts Globex's authorization.
    const meant = await connectRoute(appRequest(`/api/quickbooks/connect?tenant=${globex}`, { cookie: session, tenant: null }));
    expect(meant.status).toBe(302);
    expect(meant.headers.get("location")!.startsWith(intuit.authorizeUrl)).toBe(true);
  });
});

describe("every session request that changes something", () => {
  /**
   * Every route and method that changes something: all but GET in the matrix, and Connect (a link). The Reconnect
   * button acts for the tenant it names, switching to it (tests/reconnect-url.test.ts).
   */
  const CHANGES = Object.keys(ROUTE_ACTIONS).filter(
    (entry) => (!entry.startsWith("GET ") || entry === "GET /api/quickbooks/connect") && entry !== "POST /api/quickbooks/reconnect",
  );

  it("is refused without a tenant (428 tenant_required) or with another (409 tenant_mismatch), before anything is read or changed", async () => {
    await connectTenant("accountant@acme.test");
    // An admin may do every action: only the binding can refuse these.
    const admin = await sessionCookie("admin@acme.test", "acme");
    const globex = await tenantId("globex");
    const before = await snapshot();
    const answers: string[] = [];
    for (const entry of CHANGES) {
      const [method, route] = entry.split(" ") as [Method, string];
      const file = ROUTES.find((r) => r.route === route)!.file;
      const handler = (await routeHandlers(file))[method]!;
      const params = { id: "1", lineId: "1", ledgerAccountId: "0f8fad5b-d9cb-469f-a165-70867728950e" };
      const url = routeUrl(route, params);
      for (const [tenant, label] of [[null, "none"], [globex, "Globex"], ["not-a-tenant", "garbage"]] as const) {
        const response = await handler(appRequest(url, { method, cookie: admin, tenant }), { params: Promise.resolve(params) });
        const body = (await response.json()) as { error: { code: string; message: string } };
        answers.push(`${entry} naming ${label}: ${response.status} ${body.error.code}`);
        if (label === "Globex") expect(body.error.message, entry).toMatch(/^This page is for Globex Logistics, but your session now acts for Acme Field Services\./);
        if (label === "garbage") expect(body.error.message, entry).toMatch(/^This page is for another tenant, /);
      }
    }
    expect(answers).toEqual(
      CHANGES.flatMap((entry) => [
        `${entry} naming none: 428 tenant_required`,
        `${entry} naming Globex: 409 tenant_mismatch`,
        `${entry} naming garbage: 409 tenant_mismatch`,
      ]),
    );
    expect(CHANGES.length).toBeGreaterThanOrEqual(20);
    expect(await snapshot()).toEqual(before);
  });

  it("never names a tenant to someone who is not its member", async () => {
    await connectTenant("accountant@acme.test");
    const accountant = await sessionCookie("accountant@acme.test");
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie: accountant, tenant: await tenantId("globex") }));
    expect(response.status).toBe(409);
    const { message } = ((await response.json()) as { error: { message: string } }).error;
    expect(message).toBe("This page is for another tenant, but your session now acts for Acme Field Services. Nothing was changed. Reload to continue.");
    expect(message).not.toContain("Globex");
  });
});

describe("API keys", () => {
  it("carry no tenant: a key acts on its own tenant with or without the header", async () => {
    await connectTenant("accountant@acme.test");
    const { key } = await issueApiKey(["status:read", "verify:trigger"]);
    expect((await verifyRoute(keyRequest("/api/quickbooks/verify", key, { method: "POST" }))).status).toBe(200);
    const named = keyRequest("/api/quickbooks/status", key);
    named.headers.set("x-qbc-tenant", await tenantId("globex"));
    const status = await statusRoute(named);
    expect(status.status).toBe(200);
    expect(((await status.json()) as { connection: { realmId: string } }).connection.realmId).toBe(DEFAULT_REALM);
  });
});
