// The renewal lease (lib/quickbooks/client/renewal-lease.ts): what a renewal that holds no database connection while
// Intuit answers finds when it settles, and what it does then; and a refresh whose answer may be lost (issue 15, 7a).
import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { quickbooksConnections, refreshLogs, tokenRevocations } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { runRevocationRetrySweep } from "@/lib/jobs/revocation-retry-sweep";
import { renewAccessToken, type RenewOptions } from "@/lib/quickbooks/client/access-token";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { disconnectConnection } from "@/lib/quickbooks/disconnect-connection";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, expireAccessToken, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";

useTestDatabase();
const intuit = useIntuitMock();

const fastRetry = { attempts: 3, baseDelayMs: 1, timeLimitMs: 5_000 };
let tenantId = "";

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
  const connected = await connectTenant("accountant@acme.test");
  expect(connected.outcome).toBe("connected");
  tenantId = connected.tenantId;
});

const renew = async (options: Partial<RenewOptions> = {}) =>
  renewAccessToken({ tenantId, app: await intuitAppFor(tenantId), trigger: "manual", force: true, retry: fastRetry, ...options });
const refreshCalls = () => intuit.emulator.calls.tokenRefreshToken;
const liveRefreshTokens = () => intuit.emulator.activeTokens({ realmId: DEFAULT_REALM, kind: "refresh" }).map((t) => t.token);
const logs = () => db().select().from(refreshLogs).where(eq(refreshLogs.tenantId, tenantId)).orderBy(refreshLogs.id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Starts a renewal whose refresh Intuit performs at once but answers only after `holdMs`; resolves once Intuit has acted. */
async function renewalHeldAtIntuit(holdMs: number, options: Partial<RenewOptions> = {}) {
  const before = liveRefreshTokens();
  intuit.emulator.injectFault({ target: "token", answerDelayMs: holdMs });
  const renewal = renew(options);
  renewal.catch(() => {});
  await waitFor("Intuit to rotate the refresh token", () => liveRefreshTokens().some((token) => !before.includes(token)));
  return { renewal };
}

describe("while a renewal waits for Intuit, the connection row is free", () => {
  it("a disconnect goes through at once; the grant Intuit rotated meanwhile is not stored but revoked", async () => {
    const { renewal } = await renewalHeldAtIntuit(1_500);

    const started = performance.now();
    expect((await disconnectConnection({ tenantId, actorUserId: null })).disconnected).toBe(true);
    // It did not wait for Intuit's answer to the renewal (held 1.5 s).
    expect(performance.now() - started).toBeLessThan(1_000);

    await expect(renewal).rejects.toMatchObject({ code: "not_connected" });
    expect(await connectionRow(tenantId)).toMatchObject({ status: "disconnected", accessTokenEnc: null, refreshTokenEnc: null, renewalLeaseId: null });
    expect((await logs()).map((l) => [l.outcome, l.errorCode])).toEqual([["skipped", "connection_changed"]]);
    // The disconnect revoked with the refresh token it found, which Intuit had rotated away; the renewal queued the new one.
    expect(liveRefreshTokens()).toHaveLength(1);
    const queued = await db().select().from(tokenRevocations).where(and(eq(tokenRevocations.tenantId, tenantId), eq(tokenRevocations.status, "pending")));
    expect(queued).toHaveLength(1);
    expect(await runRevocationRetrySweep({ now: new Date(Date.now() + 60 * 60_000) })).toMatchObject({ revoked: 1 });
    expect(intuit.emulator.activeTokens({ realmId: DEFAULT_REALM })).toHaveLength(0);
  });

  it("a callback that stores a new grant meanwhile wins: the renewal's answer is dropped and it decides again on the new pair", async () => {
    await expireAccessToken(tenantId);
    const { renewal } = await renewalHeldAtIntuit(2_500, { trigger: "on_demand", force: false });

    // The tenant connects the same company again while Intuit holds its answer.
    expect((await connectTenant("accountant@acme.test")).outcome).toBe("connected");
    const reconnected = (await connectionRow(tenantId))!;

    const result = await renewal;
    // The new grant's token is fresh: kept, not renewed again.
    expect(result).toMatchObject({ renewed: false, token: { sealed: reconnected.accessTokenEnc } });
    expect(await connectionRow(tenantId)).toMatchObject({ status: "active", refreshTokenEnc: reconnected.refreshTokenEnc, renewalLeaseId: null });
    expect((await logs()).map((l) => [l.outcome, l.errorCode])).toEqual([["skipped", "connection_changed"]]);
    expect(refreshCalls()).toBe(1);
  });

  it("a lease left behind by a renewal that died is waited for until it runs out, then taken over", async () => {
    await expireAccessToken(tenantId);
    await db()
      .update(quickbooksConnections)
      .set({ renewalLeaseId: sql`gen_random_uuid()`, renewalLeaseUntil: sql`now() + interval '2 seconds'` })
      .where(eq(quickbooksConnections.tenantId, tenantId));

    const started = performance.now();
    await expect(renew({ trigger: "on_demand", force: false })).resolves.toMatchObject({ renewed: true });
    expect(performance.now() - started).toBeGreaterThan(1_500);
    expect(refreshCalls()).toBe(1);
    expect(await connectionRow(tenantId)).toMatchObject({ status: "active", renewalLeaseId: null });
  });
});

describe("a refresh whose answer may be lost", () => {
  /** A refresh Intuit performs 600 ms after it arrives, while the app's time limit is 100 ms. */
  async function timedOutAfterSending() {
    const before = (await connectionRow(tenantId))!;
    intuit.emulator.injectFault({ target: "token", delayMs: 600 });
    await expect(renew({ timeoutMs: 100 })).rejects.toMatchObject({
      code: "intuit_unavailable",
      userMessage: expect.stringMatching(/may still have acted on it, so the request was not sent again; the stored tokens are unchanged/),
    });
    // Sent once, not again with the same refresh token; the stored pair is kept.
    expect(refreshCalls()).toBe(1);
    const after = (await connectionRow(tenantId))!;
    expect([after.refreshTokenEnc, after.accessTokenEnc, after.status]).toEqual([before.refreshTokenEnc, before.accessTokenEnc, "active"]);
    // Intuit acts on it after all, once the app has stopped waiting.
    await waitFor("Intuit to act on the timed-out refresh", () => !liveRefreshTokens().includes(liveRefreshTokensAtStart[0]!));
  }
  let liveRefreshTokensAtStart: string[] = [];
  beforeEach(() => {
    liveRefreshTokensAtStart = liveRefreshTokens();
  });

  it("is not sent again; when Intuit refuses the kept refresh token at the next renewal, the connection asks for a reconnect", async () => {
    await timedOutAfterSending();
    await expect(renew()).rejects.toMatchObject({ code: "reauthorization_required" });
    expect((await connectionRow(tenantId))!.status).toBe("reauthorization_required");
    expect((await logs()).map((l) => [l.outcome, l.errorCode])).toEqual([
      ["failure", "intuit_unavailable"],
      ["failure", "invalid_grant"],
    ]);
  });

  it("is not sent again; when Intuit still honours the kept refresh token, the next renewal restores the newest pair", async () => {
    intuit.emulator.setRotationGrace(24 * 60 * 60);
    await timedOutAfterSending();
    await expect(renew()).resolves.toMatchObject({ renewed: true });
    const row = (await connectionRow(tenantId))!;
    expect(row.status).toBe("active");
    expect(refreshCalls()).toBe(2);
  });
});
