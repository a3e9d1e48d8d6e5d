import { desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as disconnectRoute } from "@/app/api/quickbooks/disconnect/route";
import { POST as refreshRoute } from "@/app/api/quickbooks/refresh/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { db } from "@/db";
import { auditEvents, refreshLogs, tokenRevocations } from "@/db/schema";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { renewAccessToken } from "@/lib/quickbooks/client/access-token";
import { callQuickBooks } from "@/lib/quickbooks/client/qbo-client";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, expireAccessToken, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const fastRetry = { attempts: 3, baseDelayMs: 1, timeLimitMs: 5_000 };

/** A CompanyInfo call through the app's API client: token lifecycle, realm limits, retries. */
function companyInfoCall(tenantId: string) {
  return callQuickBooks({ cause: "user", tenantId }, "companyinfo", getCompanyInfo);
}

async function refreshLogsOf(tenantId: string) {
  return db().select().from(refreshLogs).where(eq(refreshLogs.tenantId, tenantId)).orderBy(desc(refreshLogs.id));
}

async function status(cookie: string) {
  return (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json();
}

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

describe("one usable access token, renewed once", () => {
  it("50 concurrent API calls on an expired token make exactly one token-endpoint call, and all succeed", async () => {
    const { tenantId } = await connectTenant("accountant@acme.test");
    await expireAccessToken(tenantId);
    const before = intuit.emulator.calls.tokenRefreshToken;

    const results = await Promise.all(Array.from({ length: 50 }, () => companyInfoCall(tenantId)));

    expect(intuit.emulator.calls.tokenRefreshToken - before).toBe(1);
    expect(results.every((r) => r.companyInfo.companyName.length > 0)).toBe(true);
    const logs = await refreshLogsOf(tenantId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ trigger: "on_demand", outcome: "success", refreshTokenRotated: true });
    expect(logs[0]!.newAccessExpiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it("stores the rotated refresh token: the next renewal uses it and Intuit accepts it", async () => {
    const { tenantId } = await connectTenant("accountant@acme.test");
    const app = await intuitAppFor(tenantId);
    for (let i = 0; i < 3; i++) {
      const result = await renewAccessToken({ tenantId, app, trigger: "manual", force: true });
      expect(result.renewed).toBe(true);
    }
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(3);
    // Exactly one live refresh token at Intuit, and it is ours.
    expect(intuit.emulator.activeTokens({ realmId: DEFAULT_REALM, kind: "refresh" })).toHaveLength(1);
    expect((await connectionRow(tenantId))!.status).toBe("active");
  });

  it("a 401 from the API triggers one renewal and one retry, never a loop", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    const apiBefore = intuit.emulator.calls.api;
    intuit.emulator.injectFault({ target: "api", status: 401, times: 5 });
    await expect(companyInfoCall(tenantId)).rejects.toMatchObject({ kind: "authentication" });
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);
    expect(intuit.emulator.calls.api - apiBefore).toBe(2);
    // A refused, freshly renewed token means Intuit no longer honours the grant.
    expect((await connectionRow(tenantId))!.status).toBe("reauthorization_required");
    expect((await status(cookie)).indicator).toBe("red");
  });

  it("a single 401 is healed by the renewal", async () => {
    const { tenantId } = await connectTenant("accountant@acme.test");
    intuit.emulator.injectFault({ target: "api", status: 401, times: 1 });
    const result = await companyInfoCall(tenantId);
    expect(result.companyInfo.companyName).toBeTruthy();
    expect((await refreshLogsOf(tenantId))[0]).toMatchObject({ trigger: "unauthorized", outcome: "success" });
    expect((await connectionRow(tenantId))!.status).toBe("active");
  });
});

describe("failures by kind", () => {
  it("invalid_grant: reauthorization required, indicator red with the reason, Verify says reconnect", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    intuit.emulator.revokeGrant(DEFAULT_REALM);
    await expireAccessToken(tenantId);

    const verify = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(verify.status).toBe(409);
    const body = await verify.json();
    expect(body.error.code).toBe("reauthorization_required");
    expect(body.error.message).toMatch(/Reconnect/);

    const row = (await connectionRow(tenantId))!;
    expect(row.status).toBe("reauthorization_required");
    const view = await status(cookie);
    expect(view.indicator).toBe("red");
    expect(view.reasons.join(" ")).toMatch(/Reauthorization required/);
    expect(view.steps[3]).toMatchObject({ name: "Connect", state: "failed" });
    expect((await refreshLogsOf(tenantId))[0]).toMatchObject({ outcome: "failure", errorCode: "invalid_grant" });
  });

  it("invalid_client: points the admin at the credentials and leaves the tokens untouched", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    const before = (await connectionRow(tenantId))!;
    intuit.emulator.injectFault({ target: "token", error: "invalid_client", times: 5 });
    const response = await refreshRoute(appRequest("/api/quickbooks/refresh", { method: "POST", cookie }));
    expect(response.status).toBe(502);
    expect((await response.json()).error.message).toMatch(/client id or secret/);
    const after = (await connectionRow(tenantId))!;
    expect(after.refreshTokenEnc).toBe(before.refreshTokenEnc);
    expect(after.accessTokenEnc).toBe(before.accessTokenEnc);
    expect(after.status).toBe("active");
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);
  });

  it("5xx from Intuit is retried with backoff and the renewal then succeeds", async () => {
    const { tenantId } = await connectTenant("accountant@acme.test");
    intuit.emulator.injectFault({ target: "token", status: 503, times: 2 });
    const result = await renewAccessToken({ tenantId, app: await intuitAppFor(tenantId), trigger: "manual", force: true, retry: fastRetry });
    expect(result.renewed).toBe(true);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(3);
    expect(await refreshLogsOf(tenantId)).toHaveLength(1);
  });

  it("5xx that persists fails within the time limit, logged, with the stored tokens untouched", async () => {
    const { tenantId } = await connectTenant("accountant@acme.test");
    const before = (await connectionRow(tenantId))!;
    intuit.emulator.injectFault({ target: "token", status: 500, times: 10 });
    await expect(renewAccessToken({ tenantId, app: await intuitAppFor(tenantId), trigger: "manual", force: true, retry: fastRetry })).rejects.toMatchObject({
      code: "intuit_unavailable",
      status: 503,
    });
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(3);
    const after = (await connectionRow(tenantId))!;
    expect(after.refreshTokenEnc).toBe(before.refreshTokenEnc);
    expect(after.status).toBe("active");
    expect((await refreshLogsOf(tenantId))[0]).toMatchObject({ outcome: "failure", errorCode: "intuit_unavailable" });
  });
});

describe("a crash between Intuit's answer and the commit", () => {
  it("leaves the old pair intact (nothing half-written); the next renewal finds the grant rotated away and asks for a reconnect", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    const before = (await connectionRow(tenantId))!;
    // The process "dies" after Intuit rotated the refresh token but before the new pair is committed: the database
    // refuses the UPDATE, so the transaction rolls back exactly as a killed process's would.
    await db().execute(`create function qbc_fail_commit() returns trigger as $$ begin raise exception 'simulated crash'; end; $$ language plpgsql`);
    await db().execute(`create trigger qbc_fail_commit before update of refresh_token_enc on quickbooks_connections for each row execute function qbc_fail_commit()`);
    try {
      await expect(renewAccessToken({ tenantId, app: await intuitAppFor(tenantId), trigger: "manual", force: true })).rejects.toThrow();
    } finally {
      await db().execute(`drop trigger qbc_fail_commit on quickbooks_connections`);
      await db().execute(`drop function qbc_fail_commit()`);
    }
    const afterCrash = (await connectionRow(tenantId))!;
    expect(afterCrash.refreshTokenEnc).toBe(before.refreshTokenEnc);
    expect(afterCrash.accessTokenEnc).toBe(before.accessTokenEnc);
    expect(afterCrash.accessTokenExpiresAt).toEqual(before.accessTokenExpiresAt);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);

    // The stored access token still works until it expires; the stored refresh token was rotated away at Intuit.
    expect((await companyInfoCall(tenantId)).companyInfo.companyName).toBeTruthy();
    await expireAccessToken(tenantId);
    await expect(companyInfoCall(tenantId)).rejects.toMatchObject({ code: "reauthorization_required" });
    expect((await connectionRow(tenantId))!.status).toBe("reauthorization_required");
    expect((await status(cookie)).reasons.join(" ")).toMatch(/Reconnect/);
  });
});

describe("Renew token", () => {
  it("should be protected", async () => {
    expect((await refreshRoute(appRequest("/api/quickbooks/refresh", { method: "POST" }))).status).toBe(401);
    const auditor = await sessionCookie("auditor@acme.test");
    expect((await refreshRoute(appRequest("/api/quickbooks/refresh", { method: "POST", cookie: auditor }))).status).toBe(403);
  });

  it("renews at once even when the token is fresh, and logs a manual renewal", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    const response = await refreshRoute(appRequest("/api/quickbooks/refresh", { method: "POST", cookie }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.renewed).toMatchObject({ renewed: true, accessTokenExpiresAt: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/token":/i);
    expect((await refreshLogsOf(tenantId))[0]).toMatchObject({ trigger: "manual", outcome: "success" });
    const actions = (await db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenantId))).map((e) => e.action);
    expect(actions).toContain("token.rotated");
  });

  it("answers 409 with what to do when nothing is connected", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const response = await refreshRoute(appRequest("/api/quickbooks/refresh", { method: "POST", cookie }));
    expect(response.status).toBe(409);
    expect((await response.json()).error).toMatchObject({ code: "not_connected", message: expect.stringMatching(/Connect to QuickBooks/) });
  });
});

describe("Disconnect", () => {
  it("revokes at Intuit, wipes both tokens, marks disconnected, records who did it", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    const response = await disconnectRoute(appRequest("/api/quickbooks/disconnect", { method: "POST", cookie }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ disconnected: true, revocation: { status: "revoked" } });
    expect(intuit.emulator.calls.revoke).toBe(1);
    expect(intuit.emulator.activeTokens({ realmId: DEFAULT_REALM })).toHaveLength(0);

    const row = (await connectionRow(tenantId))!;
    expect(row).toMatchObject({ status: "disconnected", accessTokenEnc: null, refreshTokenEnc: null });
    const revocations = await db().select().from(tokenRevocations).where(eq(tokenRevocations.tenantId, tenantId));
    expect(revocations).toEqual([expect.objectContaining({ status: "revoked", tokenEnc: null })]);
    const view = await status(cookie);
    expect(view.indicator).toBe("red");
    expect(view.reasons.join(" ")).toMatch(/disconnected/);
    const disconnectEvent = (await db().select().from(auditEvents).where(eq(auditEvents.action, "connection.disconnected")))[0];
    expect(disconnectEvent?.actorUserId).toBeTruthy();
  });

  it("wipes locally even when Intuit is down, shows the failed revocation, and retries it", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    intuit.emulator.injectFault({ target: "revoke", status: 503, times: 3 });
    const first = await (await disconnectRoute(appRequest("/api/quickbooks/disconnect", { method: "POST", cookie }))).json();
    expect(first.revocation.status).toBe("failed");
    expect((await connectionRow(tenantId))!).toMatchObject({ status: "disconnected", accessTokenEnc: null, refreshTokenEnc: null });
    expect((await status(cookie)).revocation).toMatchObject({ status: "failed", message: expect.stringMatching(/could not be reached/) });
    expect(intuit.emulator.activeTokens({ realmId: DEFAULT_REALM }).length).toBeGreaterThan(0);

    const retry = await (await disconnectRoute(appRequest("/api/quickbooks/disconnect", { method: "POST", cookie }))).json();
    expect(retry.revocation.status).toBe("revoked");
    expect(intuit.emulator.activeTokens({ realmId: DEFAULT_REALM })).toHaveLength(0);
    const [revocation] = await db().select().from(tokenRevocations).where(eq(tokenRevocations.tenantId, tenantId));
    expect(revocation).toMatchObject({ status: "revoked", tokenEnc: null });
  });

  it("is refused to auditors", async () => {
    await connectTenant("accountant@acme.test");
    const auditor = await sessionCookie("auditor@acme.test");
    expect((await disconnectRoute(appRequest("/api/quickbooks/disconnect", { method: "POST", cookie: auditor }))).status).toBe(403);
  });
});

// The Reconnect URL (a page that asks for a click, then a fresh authorization): tests/reconnect-url.test.ts.

