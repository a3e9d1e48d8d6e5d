import { createHash } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as connectRoute } from "@/app/api/quickbooks/connect/route";
import { GET as callbackRoute } from "@/app/api/quickbooks/callback/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { db } from "@/db";
import { auditEvents, callbackLogs, oauthStates, quickbooksConnections } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { completeConsent } from "@/mocks/intuit/node";
import { TRANSIENT_RETRIES } from "@/lib/quickbooks/client/qbo-client";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const REALM = "9341452000000001";

async function startConnect(cookie: string): Promise<URL> {
  const response = await connectRoute(appRequest("/api/quickbooks/connect", { cookie }));
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

async function callback(url: URL, cookie: string | undefined): Promise<URL> {
  const response = await callbackRoute(appRequest(`/api/quickbooks/callback${url.search}`, { cookie }));
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

async function connectionOf(slug: string) {
  const [row] = await db().select().from(quickbooksConnections).where(eq(quickbooksConnections.tenantId, await tenantId(slug)));
  return row ?? null;
}

async function callbackLogsOf(slug: string) {
  return db().select().from(callbackLogs).where(eq(callbackLogs.tenantId, await tenantId(slug))).orderBy(desc(callbackLogs.id));
}

describe("the Connect path: Auth → Callback → Verify → Connect", () => {
  beforeEach(async () => {
    clearDiscoveryCache();
    await db().delete(callbackLogs).where(eq(callbackLogs.outcome, "success"));
    await db().delete(callbackLogs).where(eq(callbackLogs.outcome, "failure"));
    await db().delete(quickbooksConnections).where(eq(quickbooksConnections.environment, "sandbox"));
    await db().delete(oauthStates).where(eq(oauthStates.environment, "sandbox"));
  });

  it("should be protected: no session is 401, an auditor is 403", async () => {
    expect((await connectRoute(appRequest("/api/quickbooks/connect"))).status).toBe(401);
    const auditor = await sessionCookie("auditor@acme.test");
    const response = await connectRoute(appRequest("/api/quickbooks/connect", { cookie: auditor }));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
    expect((await statusRoute(appRequest("/api/quickbooks/status"))).status).toBe(401);
    expect((await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie: auditor }))).status).toBe(403);
  });

  it("refuses a POST from another origin", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie, origin: "https://evil.test" }));
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("cross_origin_request");
  });

  it("redirects to Intuit with the discovery document's endpoint, the accounting scope and a stored, hashed state", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const authorize = await startConnect(cookie);
    expect(authorize.origin + authorize.pathname).toBe(intuit.authorizeUrl);
    expect(authorize.searchParams.get("scope")).toBe("com.intuit.quickbooks.accounting");
    expect(authorize.searchParams.get("response_type")).toBe("code");
    expect(authorize.searchParams.get("redirect_uri")).toBe("http://localhost:3000/api/quickbooks/callback");
    const state = authorize.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(43);
    const stored = await db().select().from(oauthStates);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.stateHash).not.toBe(state);
    expect(stored[0]!.expiresAt.getTime() - stored[0]!.createdAt.getTime()).toBe(10 * 60 * 1000);
    expect((await connectionOf("acme"))?.status).toBe("authorizing");
  });

  it("adds PKCE S256 when the discovery document offers it, and sends the verifier with the code", async () => {
    const document = await (await fetch(intuit.discoveryUrl)).json();
    intuit.server.use(http.get(intuit.discoveryUrl, () => HttpResponse.json({ ...document, code_challenge_methods_supported: ["S256"] })));
    let sentVerifier: string | null = null;
    intuit.server.events.on("request:start", async ({ request }) => {
      if (request.url === intuit.tokenUrl) sentVerifier = new URLSearchParams(await request.clone().text()).get("code_verifier");
    });
    const cookie = await sessionCookie("accountant@acme.test");
    const authorize = await startConnect(cookie);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    const challenge = authorize.searchParams.get("code_challenge")!;
    const [stored] = await db().select().from(oauthStates);
    expect(stored!.codeVerifierEnc).toMatch(/^v1\./);

    await callback(await completeConsent(authorize, { realmId: REALM }), cookie);
    intuit.server.events.removeAllListeners();
    expect(sentVerifier).toBeTruthy();
    const digest = createHash("sha256").update(sentVerifier!).digest("base64url");
    expect(digest).toBe(challenge);
  });

  it("connects end to end: tokens stored encrypted, CompanyInfo verified, profile active, log row written", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const landing = await callback(await completeConsent(await startConnect(cookie), { realmId: REALM }), cookie);
    expect(landing.pathname).toBe("/integrations/quickbooks");
    expect(landing.searchParams.get("callback")).toBe("connected");

    const row = (await connectionOf("acme"))!;
    expect(row).toMatchObject({ status: "active", realmId: REALM, environment: "sandbox" });
    expect(row.companyName).toBeTruthy();
    expect(row.verifiedAt).toBeInstanceOf(Date);
    expect(row.refreshTokenHardExpiresAt).toBeInstanceOf(Date);
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(1);
    expect(intuit.emulator.apiRequests().some((r) => r.path.includes(`/companyinfo/${REALM}`))).toBe(true);

    const [log] = await callbackLogsOf("acme");
    expect(log).toMatchObject({ outcome: "success", realmId: REALM, errorCode: null });
    expect(log!.intuitTid).toBeTruthy();

    const status = await (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json();
    expect(status.indicator).toBe("green");
    expect(status.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual([
      "Auth:done",
      "Callback:done",
      "Verify:done",
      "Connect:done",
    ]);
    expect(status.checklist).toHaveLength(5);
    expect(status.connection).toMatchObject({ realmId: REALM, status: "active" });

    const actions = (await db().select().from(auditEvents).where(eq(auditEvents.tenantId, await tenantId("acme")))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["connection.authorization_started", "connection.tokens_stored", "connection.verified", "connection.activated"]));
  });

  it("stores no token in clear anywhere in the database", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    await callback(await completeConsent(await startConnect(cookie), { realmId: REALM }), cookie);
    const issued = intuit.emulator.activeTokens({ realmId: REALM }).map((t) => t.token);
    expect(issued.length).toBeGreaterThanOrEqual(2);

    // Every text column of every table, as a dump would show it.
    const dump = JSON.stringify(
      await Promise.all(
        ["tenants", "users", "memberships", "oauth_states", "quickbooks_connections", "callback_logs", "audit_events"].map((table) =>
          db().execute(`select * from ${table}`),
        ),
      ),
    );
    for (const token of issued) expect(dump).not.toContain(token);
    const row = (await connectionOf("acme"))!;
    expect(row.accessTokenEnc).toMatch(/^v2\./);
    expect(row.refreshTokenEnc).toMatch(/^v2\./);
  });

  it("a callback fired twice exchanges the code once and the second lands on the console unchanged", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const intuitRedirect = await completeConsent(await startConnect(cookie), { realmId: REALM });
    expect((await callback(intuitRedirect, cookie)).searchParams.get("callback")).toBe("connected");
    const before = (await connectionOf("acme"))!;

    const second = await callback(intuitRedirect, cookie);
    expect(second.pathname).toBe("/integrations/quickbooks");
    expect(second.searchParams.get("callback")).toBe("state_reused");
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(1);
    const after = (await connectionOf("acme"))!;
    expect(after.status).toBe("active");
    expect(after.accessTokenEnc).toBe(before.accessTokenEnc);
    // The first exchange's tokens still work: no replay made Intuit revoke them.
    expect(intuit.emulator.activeTokens({ realmId: REALM }).length).toBeGreaterThanOrEqual(2);
    const logs = await callbackLogsOf("acme");
    expect(logs.map((l) => l.errorCode)).toEqual(["state_reused", null]);
  });

  it("refuses a forged state and leaves the connection as it was", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    await startConnect(cookie);
    const landing = await callback(new URL(`http://x/?code=abc&state=forged-state-value&realmId=${REALM}`), cookie);
    expect(landing.searchParams.get("callback")).toBe("state_unknown");
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(0);
    expect((await connectionOf("acme"))?.status).toBe("authorizing");
    expect((await callbackLogsOf("acme"))[0]).toMatchObject({ outcome: "failure", errorCode: "state_unknown" });
  });

  it("refuses a callback without state", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const landing = await callback(new URL(`http://x/?code=abc&realmId=${REALM}`), cookie);
    expect(landing.searchParams.get("callback")).toBe("missing_state");
    expect((await callbackLogsOf("acme"))[0]).toMatchObject({ outcome: "failure", errorCode: "missing_state" });
  });

  it("refuses an expired state without exchanging the code", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const intuitRedirect = await completeConsent(await startConnect(cookie), { realmId: REALM });
    await db()
      .update(oauthStates)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthStates.tenantId, await tenantId("acme")));
    const landing = await callback(intuitRedirect, cookie);
    expect(landing.searchParams.get("callback")).toBe("state_expired");
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(0);
    const row = (await connectionOf("acme"))!;
    expect(row.accessTokenEnc).toBeNull();
    expect(row.lastErrorCode).toBe("state_expired");
    expect((await callbackLogsOf("acme"))[0]).toMatchObject({ outcome: "failure", errorCode: "state_expired" });
  });

  it("refuses another user's state and leaves both tenants' connections alone", async () => {
    const victim = await sessionCookie("accountant@acme.test");
    const attacker = await sessionCookie("accountant@globex.test");
    const intuitRedirect = await completeConsent(await startConnect(victim), { realmId: REALM });
    const landing = await callback(intuitRedirect, attacker);
    expect(landing.searchParams.get("callback")).toBe("state_foreign");
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(0);
    expect((await connectionOf("acme"))?.accessTokenEnc).toBeNull();
    expect(await connectionOf("globex")).toBeNull();
    const [log] = await callbackLogsOf("acme");
    expect(log).toMatchObject({ outcome: "failure", errorCode: "state_foreign", userId: expect.any(String) });
  });

  it("a reused state after a foreign attempt is still refused (single use)", async () => {
    const victim = await sessionCookie("accountant@acme.test");
    const attacker = await sessionCookie("accountant@globex.test");
    const intuitRedirect = await completeConsent(await startConnect(victim), { realmId: REALM });
    await callback(intuitRedirect, attacker);
    expect((await callback(intuitRedirect, victim)).searchParams.get("callback")).toBe("state_reused");
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(0);
  });

  it("handles error=access_denied: clear message, Callback step failed, nothing connected", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const intuitRedirect = await completeConsent(await startConnect(cookie), { decision: "cancel" });
    expect(intuitRedirect.searchParams.get("error")).toBe("access_denied");
    const landing = await callback(intuitRedirect, cookie);
    expect(landing.searchParams.get("callback")).toBe("access_denied");
    const row = (await connectionOf("acme"))!;
    expect(row.status).toBe("authorizing");
    expect(row.accessTokenEnc).toBeNull();
    const status = await (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json();
    expect(status.steps[1]).toMatchObject({ name: "Callback", state: "failed" });
    expect(status.steps[1].reason).toMatch(/cancelled at Intuit/);
    expect(status.indicator).toBe("red");
    expect((await callbackLogsOf("acme"))[0]).toMatchObject({ outcome: "failure", errorCode: "access_denied" });
  });

  it("an access_denied callback leaves an active connection active, and green", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    await callback(await completeConsent(await startConnect(cookie), { realmId: REALM }), cookie);
    const before = (await connectionOf("acme"))!;
    const landing = await callback(await completeConsent(await startConnect(cookie), { decision: "cancel" }), cookie);
    expect(landing.searchParams.get("callback")).toBe("access_denied");
    const after = (await connectionOf("acme"))!;
    expect(after.status).toBe("active");
    expect(after.accessTokenEnc).toBe(before.accessTokenEnc);
    // The cancelled attempt is reported by the redirect; the connection that works is not marked failed.
    const view = await (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json();
    expect(view).toMatchObject({ indicator: "green", reasons: [] });
    expect(view.steps[1]).toMatchObject({ name: "Callback", state: "done" });
  });

  it("shows a failed token exchange without storing anything", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const intuitRedirect = await completeConsent(await startConnect(cookie), { realmId: REALM });
    intuit.emulator.injectFault({ target: "token", error: "invalid_client" });
    const landing = await callback(intuitRedirect, cookie);
    expect(landing.searchParams.get("callback")).toBe("invalid_client");
    expect((await connectionOf("acme"))?.accessTokenEnc).toBeNull();
    const [log] = await callbackLogsOf("acme");
    expect(log).toMatchObject({ outcome: "failure", errorCode: "invalid_client" });
    expect(log!.intuitTid).toBeTruthy();
  });

  it("keeps the tokens but shows the Verify step failed when CompanyInfo fails", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const intuitRedirect = await completeConsent(await startConnect(cookie), { realmId: REALM });
    // Down for longer than the API client's retries.
    intuit.emulator.injectFault({ target: "api", status: 500, times: TRANSIENT_RETRIES + 1 });
    expect((await callback(intuitRedirect, cookie)).searchParams.get("callback")).toBe("verify_failed");
    const row = (await connectionOf("acme"))!;
    expect(row.status).toBe("callback_received");
    expect(row.accessTokenEnc).not.toBeNull();
    expect(row.lastErrorStep).toBe("verify");

    // Verify connection again: the profile becomes active.
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(response.status).toBe(200);
    expect((await response.json()).verified.realmId).toBe(REALM);
    expect((await connectionOf("acme"))?.status).toBe("active");
  });

  it("Verify turns Intuit's fault into a readable error and keeps the connection's data", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    await callback(await completeConsent(await startConnect(cookie), { realmId: REALM }), cookie);
    intuit.emulator.injectFault({ target: "api", status: 403 });
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(response.status).toBe(502);
    const body = await response.json();
    expect(body.error.code).toBe("verify_failed");
    expect(body.error.message).toMatch(/refused access/);
    const status = await (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json();
    expect(status.indicator).toBe("red");
    expect(status.steps[2].state).toBe("failed");
  });

  it("Verify refreshes an expired access token first", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    await callback(await completeConsent(await startConnect(cookie), { realmId: REALM }), cookie);
    await db()
      .update(quickbooksConnections)
      .set({ accessTokenExpiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(quickbooksConnections.tenantId, await tenantId("acme")), eq(quickbooksConnections.environment, "sandbox")));
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(response.status).toBe(200);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);
    expect((await connectionOf("acme"))!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it("refuses a company already connected to another tenant", async () => {
    const acme = await sessionCookie("accountant@acme.test");
    const globex = await sessionCookie("accountant@globex.test");
    await callback(await completeConsent(await startConnect(acme), { realmId: REALM }), acme);
    const landing = await callback(await completeConsent(await startConnect(globex), { realmId: REALM }), globex);
    expect(landing.searchParams.get("callback")).toBe("realm_in_use");
    expect((await connectionOf("globex"))?.realmId).toBeNull();
  });
});

describe("tenant isolation", () => {
  it("gives 403 to a session whose active tenant the user does not belong to", async () => {
    // accountant@globex.test holding a session that names Acme (a stale or forged tenant switch).
    const cookie = await sessionCookie("accountant@globex.test", "acme");
    const response = await statusRoute(appRequest("/api/quickbooks/status", { cookie }));
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("forbidden");
  });

  it("refuses a forged session cookie as signed out", async () => {
    const response = await statusRoute(appRequest("/api/quickbooks/status", { cookie: "authjs.session-token=forged.jwt.value" }));
    expect(response.status).toBe(401);
  });
});
