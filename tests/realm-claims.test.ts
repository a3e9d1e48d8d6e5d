// A company is proven before it is held and freed when it is let go (issue 15, points 1 and 2), and the callback's
// last checks: the role at completion and RFC 9207's `iss`. Through the real route handlers and the emulator.
import { and, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as callbackRoute } from "@/app/api/quickbooks/callback/route";
import { GET as connectRoute } from "@/app/api/quickbooks/connect/route";
import { POST as disconnectRoute } from "@/app/api/quickbooks/disconnect/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { db } from "@/db";
import { memberships, reconciliationLines, reconciliations, users } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { completeConsent } from "@/mocks/intuit/node";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const ACME_REALM = "9341452000000001";
const GLOBEX_REALM = "9341452000000002";
const THIRD_REALM = "9341452000000003";

/** Connect → consent at the emulator for `realmId`; the browser then goes to the callback URL it is handed. */
async function consent(cookie: string, realmId: string): Promise<URL> {
  const start = await connectRoute(appRequest("/api/quickbooks/connect", { cookie }));
  expect(start.status).toBe(302);
  return completeConsent(start.headers.get("location")!, { realmId });
}

async function callback(url: URL, cookie: string): Promise<string | null> {
  const landing = await callbackRoute(appRequest(`/api/quickbooks/callback${url.search}`, { cookie }));
  expect(landing.status).toBe(302);
  return new URL(landing.headers.get("location")!).searchParams.get("callback");
}

const liveGrantsOf = (realmId: string) => new Set(intuit.emulator.activeTokens({ realmId }).map((t) => t.grantId));

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

describe("a company is held only once the new tokens open it", () => {
  it("a callback whose realmId was edited leaves the edited company free and the tenant not connected, and revokes the grant", async () => {
    const acme = await sessionCookie("accountant@acme.test");
    const answer = await consent(acme, ACME_REALM);
    answer.searchParams.set("realmId", GLOBEX_REALM);

    expect(await callback(answer, acme)).toBe("realm_not_authorized");
    expect(await connectionRow(await tenantId("acme"))).toMatchObject({ realmId: null, pendingRealmId: null, accessTokenEnc: null, refreshTokenEnc: null });
    expect((await connectionRow(await tenantId("acme")))!.status).not.toBe("active");
    // The grant Intuit issued for the company actually consented is revoked: nothing is left behind.
    expect(liveGrantsOf(ACME_REALM).size).toBe(0);
    // The company whose id was typed in is untouched: its owner connects it.
    expect((await connectTenant("accountant@globex.test", GLOBEX_REALM)).outcome).toBe("connected");
  });

  it("keeps the company a claim when QuickBooks cannot confirm it, out of the realm index, until Verify proves it", async () => {
    intuit.emulator.injectFault({ target: "api", status: 503, times: 3 });
    const { outcome, tenantId: acme, cookie } = await connectTenant("accountant@acme.test", ACME_REALM);
    expect(outcome).toBe("verify_failed");
    expect(await connectionRow(acme)).toMatchObject({ status: "callback_received", realmId: null, pendingRealmId: ACME_REALM });

    const verified = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(verified.status).toBe(200);
    expect(await connectionRow(acme)).toMatchObject({ status: "active", realmId: ACME_REALM, pendingRealmId: null });
  });

  it("drops a claim that Verify finds the tokens do not open, and revokes its grant", async () => {
    intuit.emulator.injectFault({ target: "api", status: 503, times: 3 });
    const acme = await sessionCookie("accountant@acme.test");
    const answer = await consent(acme, ACME_REALM);
    answer.searchParams.set("realmId", GLOBEX_REALM);
    expect(await callback(answer, acme)).toBe("verify_failed");
    expect(await connectionRow(await tenantId("acme"))).toMatchObject({ realmId: null, pendingRealmId: GLOBEX_REALM });

    const verified = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie: acme }));
    expect(verified.status).toBe(409);
    expect((await verified.json()).error.code).toBe("realm_not_authorized");
    expect(await connectionRow(await tenantId("acme"))).toMatchObject({ status: "disconnected", realmId: null, pendingRealmId: null, refreshTokenEnc: null });
    expect(liveGrantsOf(ACME_REALM).size).toBe(0);
  });

  it("an active connection keeps its company and tokens when a reconnect cannot be confirmed, and still works", async () => {
    const { tenantId: acme, cookie } = await connectTenant("accountant@acme.test", ACME_REALM);
    const before = await connectionRow(acme);
    intuit.emulator.injectFault({ target: "api", status: 503, times: 3 });
    expect(await callback(await consent(cookie, ACME_REALM), cookie)).toBe("company_unconfirmed");
    expect(await connectionRow(acme)).toMatchObject({ status: "active", realmId: ACME_REALM, refreshTokenEnc: before!.refreshTokenEnc });
    // The new tokens were dropped, not revoked: Intuit revokes by company, which would have cut this connection too.
    expect((await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }))).status).toBe(200);
  });
});

describe("a company is freed when it is let go", () => {
  it("Acme disconnects, Globex connects the same company, then Acme connects another: both connected", async () => {
    const { tenantId: acme, cookie } = await connectTenant("accountant@acme.test", ACME_REALM);
    expect((await disconnectRoute(appRequest("/api/quickbooks/disconnect", { method: "POST", cookie }))).status).toBe(200);
    expect(await connectionRow(acme)).toMatchObject({ status: "disconnected", realmId: null });

    expect((await connectTenant("accountant@globex.test", ACME_REALM)).outcome).toBe("connected");
    expect((await connectTenant("accountant@acme.test", THIRD_REALM)).outcome).toBe("connected");
    expect(await connectionRow(acme)).toMatchObject({ status: "active", realmId: THIRD_REALM });
    expect(await connectionRow(await tenantId("globex"))).toMatchObject({ status: "active", realmId: ACME_REALM });
  });

  it("two tenants calling back for the same company at once: one holds it, the other gets realm_in_use and keeps nothing", async () => {
    const acme = await sessionCookie("accountant@acme.test");
    const globex = await sessionCookie("accountant@globex.test");
    const [acmeAnswer, globexAnswer] = [await consent(acme, THIRD_REALM), await consent(globex, THIRD_REALM)];
    const outcomes = await Promise.all([callback(acmeAnswer, acme), callback(globexAnswer, globex)]);
    expect(outcomes.sort()).toEqual(["connected", "realm_in_use"]);
    const holders = [await connectionRow(await tenantId("acme")), await connectionRow(await tenantId("globex"))].filter((row) => row?.realmId === THIRD_REALM);
    expect(holders).toHaveLength(1);
    expect(holders[0]!.status).toBe("active");
    const loser = [await connectionRow(await tenantId("acme")), await connectionRow(await tenantId("globex"))].find((row) => row?.realmId !== THIRD_REALM);
    expect(loser).toMatchObject({ refreshTokenEnc: null, pendingRealmId: null });
    // The loser's tokens are the same app's connection to the company: dropped, not revoked, so the winner still works.
    const winner = holders[0]!.tenantId === (await tenantId("acme")) ? acme : globex;
    expect((await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie: winner }))).status).toBe(200);
  });

  it("a reconciliation of the company a tenant left does not speak for the company it holds now", async () => {
    const { tenantId: acme, cookie } = await connectTenant("accountant@acme.test", ACME_REALM);
    const [reconciliation] = await db()
      .insert(reconciliations)
      .values({ tenantId: acme, environment: "sandbox", realmId: ACME_REALM, period: "2026-11", asOf: "2026-11-30" })
      .returning();
    await db().insert(reconciliationLines).values({ reconciliationId: reconciliation!.id, tenantId: acme, code: "1200", name: "Inventory", awraBalance: "10.00", qboBalance: "0.00", difference: "10.00" });
    const statusOf = async () => (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json();
    expect((await statusOf()).reasons.join(" ")).toMatch(/1200 Inventory/);

    expect(await callback(await consent(cookie, THIRD_REALM), cookie)).toBe("connected");
    expect(await statusOf()).toMatchObject({ indicator: "green", reasons: [] });
  });

  it("a tenant that moves to another company revokes the grant of the company it leaves", async () => {
    const { cookie } = await connectTenant("accountant@acme.test", ACME_REALM);
    expect(liveGrantsOf(ACME_REALM).size).toBe(1);
    expect(await callback(await consent(cookie, THIRD_REALM), cookie)).toBe("connected");
    expect(liveGrantsOf(ACME_REALM).size).toBe(0);
    expect(liveGrantsOf(THIRD_REALM).size).toBe(1);
  });
});

describe("the callback's last checks", () => {
  it("asks for the role again at completion: an accountant made auditor meanwhile connects nothing", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const answer = await consent(cookie, ACME_REALM);
    const [user] = await db().select().from(users).where(eq(users.email, "accountant@acme.test"));
    const membership = and(eq(memberships.userId, user!.id), eq(memberships.tenantId, await tenantId("acme")));
    await db().update(memberships).set({ role: "auditor" }).where(membership);
    const exchanges = intuit.emulator.calls.tokenAuthorizationCode;
    try {
      expect(await callback(answer, cookie)).toBe("forbidden");
      expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(exchanges);
      expect((await connectionRow(await tenantId("acme")))?.refreshTokenEnc ?? null).toBeNull();
    } finally {
      await db().update(memberships).set({ role: "accountant" }).where(membership);
    }
  });

  it("hands the authorization server's `iss` to the response validation when the server advertises it (RFC 9207)", async () => {
    const document = await (await fetch(intuit.discoveryUrl)).json();
    intuit.server.use(http.get(intuit.discoveryUrl, () => HttpResponse.json({ ...document, authorization_response_iss_parameter_supported: true })));
    const cookie = await sessionCookie("accountant@acme.test");

    const forged = await consent(cookie, ACME_REALM);
    forged.searchParams.set("iss", "https://issuer.evil.test");
    expect(await callback(forged, cookie)).not.toBe("connected");

    const answer = await consent(cookie, ACME_REALM);
    answer.searchParams.set("iss", document.issuer);
    expect(await callback(answer, cookie)).toBe("connected");
  });
});
