// Intuit slow, timing out, throttling (429) and failing (5xx), on the real in-process call paths (route handlers,
// renewAccessToken, the renewal sweep, the QuickBooks API client) against the MSW emulator: bounded retries counted
// at the emulator, a clear typed error for the page, and the stored tokens and the connection's state untouched.
//
// Already proven elsewhere, not repeated here:
// - tests/token-lifecycle.test.ts: token 5xx retried then renewed (3 calls); persistent token 500 fails
//   intuit_unavailable with the refresh token unchanged (fast retry policy); invalid_client and invalid_grant.
// - tests/quickbooks/client/qbo-client.test.ts: API 503/500 retried TRANSIENT_RETRIES times; API timeout (timeoutMs)
//   retried; API 429 honoured with Retry-After then throttled after THROTTLE_RETRIES; API 400 not retried.
// - lib/quickbooks/client/retry.test.ts (withRetry's limits), lib/intuit/faults.test.ts (reading Intuit's fault bodies).
// - tests/connect-path.test.ts: a CompanyInfo 500 during the callback leaves the tokens and shows Verify failed.
import { and, eq, gte } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as refreshRoute } from "@/app/api/quickbooks/refresh/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { db } from "@/db";
import { auditEvents, quickbooksConnections, refreshLogs } from "@/db/schema";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { IntuitApiError } from "@/lib/intuit/faults";
import { RENEWAL_CLAIM_LEASE_MS, runRenewalSweep } from "@/lib/jobs/renewal-sweep";
import { renewAccessToken } from "@/lib/quickbooks/client/access-token";
import { describeApiError } from "@/lib/quickbooks/rules/intuit-failures";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { callQuickBooks, THROTTLE_RETRIES, TRANSIENT_RETRIES } from "@/lib/quickbooks/client/qbo-client";
import { INTUIT_RETRY } from "@/lib/quickbooks/client/retry";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const COMPANY_INFO = `http://intuit.test/v3/company/${DEFAULT_REALM}/companyinfo/${DEFAULT_REALM}`;
/** The production policy's attempt count, with delays short enough for a test. */
const fastRetry = { attempts: INTUIT_RETRY.attempts, baseDelayMs: 1, timeLimitMs: 5_000 };

let tenantId = "";
let cookie = "";
beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
  const connected = await connectTenant("accountant@acme.test");
  expect(connected.outcome).toBe("connected");
  tenantId = connected.tenantId;
  cookie = connected.cookie;
});

/** What a failed call to Intuit must leave exactly as it was: both sealed tokens, their expiries, the state. */
async function storedTokens() {
  const row = (await connectionRow(tenantId))!;
  return {
    accessTokenEnc: row.accessTokenEnc,
    refreshTokenEnc: row.refreshTokenEnc,
    accessTokenExpiresAt: row.accessTokenExpiresAt?.toISOString(),
    refreshTokenExpiresAt: row.refreshTokenExpiresAt?.toISOString(),
    status: row.status,
  };
}
const refreshCalls = () => intuit.emulator.calls.tokenRefreshToken;
const apiCalls = () => intuit.emulator.calls.api;
const refreshLogRows = () => db().select().from(refreshLogs).where(eq(refreshLogs.tenantId, tenantId)).orderBy(refreshLogs.id);
const renew = (options: Partial<Parameters<typeof renewAccessToken>[0]> = {}) =>
  intuitAppFor(tenantId).then((app) => renewAccessToken({ tenantId, app, trigger: "manual", force: true, retry: fastRetry, ...options }));

describe("token renewal when Intuit throttles, is slow or fails", () => {
  it("a 429 that persists is retried the documented number of times, then reported as Intuit unavailable, tokens untouched", async () => {
    const before = await storedTokens();
    intuit.emulator.injectFault({ target: "token", status: 429, times: 10 });
    await expect(renew()).rejects.toMatchObject({ code: "intuit_unavailable", status: 503, userMessage: expect.stringMatching(/stored tokens are unchanged/) });
    expect(refreshCalls()).toBe(INTUIT_RETRY.attempts);
    expect(await storedTokens()).toEqual(before);
    const [log] = await refreshLogRows();
    expect(log).toMatchObject({ outcome: "failure", errorCode: "intuit_unavailable", refreshTokenRotated: false, newAccessExpiresAt: null });
    // A throttled renewal is no reason to send the tenant to reconnect.
    expect((await connectionRow(tenantId))!.lastErrorStep).toBeNull();
  });

  it("a single 429 is absorbed by the retry", async () => {
    intuit.emulator.injectFault({ target: "token", status: 429, times: 1 });
    await expect(renew()).resolves.toMatchObject({ renewed: true });
    expect(refreshCalls()).toBe(2);
    expect((await refreshLogRows()).map((l) => l.outcome)).toEqual(["success"]);
  });

  it("a token endpoint slower than the time limit is cut off at the limit, not sent again, and leaves the tokens untouched", async () => {
    const before = await storedTokens();
    // Slow, then failing anyway: Intuit never completes the refresh, so nothing was rotated behind our back. The app
    // cannot know that when its time limit runs out, so it does not send the same refresh token again (README).
    intuit.emulator.injectFault({ target: "token", delayMs: 2_000, status: 504, times: 10 });
    const started = Date.now();
    await expect(renew({ timeoutMs: 100 })).rejects.toMatchObject({ code: "intuit_unavailable", status: 503 });
    // The attempt gave up at its own limit, not when Intuit finally answered.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(refreshCalls()).toBe(1);
    expect(await storedTokens()).toEqual(before);
    expect((await refreshLogRows())[0]).toMatchObject({ outcome: "failure", errorCode: "intuit_unavailable" });
  });

  it("a slow token endpoint within the time limit still renews, in one call", async () => {
    intuit.emulator.injectFault({ target: "token", delayMs: 300, times: 1 });
    await expect(renew()).resolves.toMatchObject({ renewed: true });
    expect(refreshCalls()).toBe(1);
  });

  it("with the production retry policy, a 5xx that persists makes exactly 3 calls, well within its 20 s limit", async () => {
    intuit.emulator.injectFault({ target: "token", status: 503, times: 10 });
    const started = Date.now();
    await expect(renew({ retry: undefined })).rejects.toMatchObject({ code: "intuit_unavailable" });
    expect(refreshCalls()).toBe(3);
    expect(Date.now() - started).toBeLessThan(INTUIT_RETRY.timeLimitMs);
  });

  it("Renew token answers 503 with a message that says what happened and that the tokens are safe; the indicator stays green", async () => {
    const testStartedAt = new Date();
    const before = await storedTokens();
    intuit.emulator.injectFault({ target: "token", status: 500, times: 10 });
    const response = await refreshRoute(appRequest("/api/quickbooks/refresh", { method: "POST", cookie }));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toEqual({ code: "intuit_unavailable", message: expect.stringMatching(/Intuit could not renew the token right now; the stored tokens are unchanged/) });
    expect(JSON.stringify(body)).not.toMatch(/refresh_token|access_token|Bearer|stack/i);
    expect(refreshCalls()).toBe(3);
    expect(await storedTokens()).toEqual(before);
    const status = (await (await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).json()) as { indicator: string; connection: unknown };
    expect(status.indicator).toBe("green");
    const audits = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, "token.refresh_failed"), gte(auditEvents.createdAt, testStartedAt)));
    expect(audits.map((a) => a.details)).toEqual([expect.objectContaining({ code: "intuit_unavailable", trigger: "manual" })]);
  });

  it("the renewal sweep leaves a connection whose renewal met an Intuit outage active with its tokens, and renews it on the next run", async () => {
    // In use and about to expire: due for the sweep.
    await db()
      .update(quickbooksConnections)
      .set({ accessTokenExpiresAt: new Date(Date.now() + 2 * 60_000), lastUsedAt: new Date() })
      .where(eq(quickbooksConnections.tenantId, tenantId));
    const before = await storedTokens();
    intuit.emulator.injectFault({ target: "token", status: 502, times: 3 });

    expect(await runRenewalSweep()).toEqual({ examined: 1, renewed: 0, failed: 1, skipped: 0 });
    expect(refreshCalls()).toBe(INTUIT_RETRY.attempts);
    expect(await storedTokens()).toEqual(before);
    expect((await refreshLogRows()).map((l) => [l.trigger, l.outcome, l.errorCode])).toEqual([["scheduled", "failure", "intuit_unavailable"]]);

    // Intuit is back: once the failed claim's lease has run out, the next sweep renews it, with the refresh token kept.
    expect(await runRenewalSweep({ now: new Date(Date.now() + RENEWAL_CLAIM_LEASE_MS + 1_000) })).toEqual({ examined: 1, renewed: 1, failed: 0, skipped: 0 });
    expect(refreshCalls()).toBe(INTUIT_RETRY.attempts + 1);
    expect((await connectionRow(tenantId))!.status).toBe("active");
  });
});

describe("Verify (CompanyInfo) when Intuit throttles or fails", () => {
  it("a 5xx that persists is tried TRANSIENT_RETRIES + 1 times; Verify answers 502 saying to try again; tokens and state kept", async () => {
    const before = await storedTokens();
    const apiBefore = apiCalls();
    intuit.emulator.injectFault({ target: "api", status: 500, times: TRANSIENT_RETRIES + 1 });
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("verify_failed");
    expect(body.error.message).toMatch(/QuickBooks had a server error \(Intuit trace id [^)]+\)\. Try again in a few minutes\./);
    expect(apiCalls() - apiBefore).toBe(TRANSIENT_RETRIES + 1);
    // A passing fault: no renewal attempted, no reconnect asked for.
    expect(refreshCalls()).toBe(0);
    expect(await storedTokens()).toEqual(before);

    // Once Intuit is back, Verify works and clears the failure.
    const again = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(again.status).toBe(200);
    expect((await connectionRow(tenantId))!).toMatchObject({ status: "active", lastErrorStep: null });
  });

  it("a 429 that persists is tried THROTTLE_RETRIES + 1 times; Verify says QuickBooks is limiting requests; tokens and state kept", async () => {
    const before = await storedTokens();
    let answered = 0;
    intuit.server.use(
      http.get(COMPANY_INFO, () => {
        answered++;
        const body = { fault: { error: [{ message: "message=ThrottleExceeded; errorCode=003001; statusCode=429", detail: "The request limit was reached.", code: "3001" }], type: "SERVICE" } };
        return HttpResponse.json(body, { status: 429, headers: { "retry-after": "0", intuit_tid: `tid-throttled-${answered}` } });
      }),
    );
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/QuickBooks is limiting requests for this company .*Try again in a minute\./);
    expect(answered).toBe(THROTTLE_RETRIES + 1);
    expect(refreshCalls()).toBe(0);
    expect(await storedTokens()).toEqual(before);
  });
});

describe("the QuickBooks API client's passing failures leave the connection alone", () => {
  it("an outage and a timeout end in typed errors without a renewal, a reconnect request, or a changed token", async () => {
    const before = await storedTokens();
    intuit.emulator.injectFault({ target: "api", status: 503, times: TRANSIENT_RETRIES + 1 });
    await expect(callQuickBooks({ cause: "user", tenantId }, "companyinfo", getCompanyInfo)).rejects.toMatchObject({ kind: "server", status: 503 });
    intuit.emulator.injectFault({ target: "api", delayMs: 1_000, status: 504, times: TRANSIENT_RETRIES + 1 });
    await expect(callQuickBooks({ cause: "user", tenantId, timeoutMs: 100 }, "companyinfo", getCompanyInfo)).rejects.toMatchObject({ kind: "timeout" });
    expect(refreshCalls()).toBe(0);
    expect(await refreshLogRows()).toEqual([]);
    expect(await storedTokens()).toEqual(before);
    // And the next call, with Intuit back, works with the same token.
    await expect(callQuickBooks({ cause: "user", tenantId }, "companyinfo", getCompanyInfo)).resolves.toMatchObject({ realmId: DEFAULT_REALM });
  });

  it("says what happened for a timeout and an unreachable Intuit, not that Intuit answered strangely", () => {
    const error = (kind: IntuitApiError["kind"]) => new IntuitApiError({ kind, status: null, code: null, message: kind, detail: null, faultType: null, intuitTid: null });
    expect(describeApiError(error("timeout"))).toMatch(/QuickBooks did not answer in time\. Try again in a few minutes\./);
    expect(describeApiError(error("network"))).toMatch(/QuickBooks could not be reached\. Try again in a few minutes\./);
  });
});
