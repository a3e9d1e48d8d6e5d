import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { quickbooksConnections, refreshLogs, tenants } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding } from "@/lib/crypto/token-binding";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { getUsableAccessToken } from "@/lib/quickbooks/client/access-token";
import { lockConnection } from "@/lib/quickbooks/store/connections";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { REFRESH_TOKEN_HARD_CAP_SECONDS } from "@/mocks/intuit/grants";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, connectionRow, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { isDueForRenewal, type RenewalFacts } from "@/lib/jobs/due-rules";
import { renewDueConnection, runRenewalSweep, selectConnectionsDueForRenewal } from "@/lib/jobs/renewal-sweep";

const MINUTE_S = 60;
const DAY_S = 24 * 60 * MINUTE_S;
// Short access tokens make several lifetimes cheap; the refresh token keeps Intuit's 100 days.
const ACCESS_TTL_S = 15 * MINUTE_S;
const REFRESH_TTL_S = 100 * DAY_S;
/** The jump after which a refresh token has 59 days left: due under the 60-day rule. */
const REFRESH_JUMP_S = REFRESH_TTL_S - 59 * DAY_S;
const REALM_ACME = "9341452000000001";
const REALM_GLOBEX = "9341452000000002";

useTestDatabase();
const intuit = useIntuitMock("http://intuit.test", { accessTokenTtlSeconds: ACCESS_TTL_S, refreshTokenTtlSeconds: REFRESH_TTL_S });

/** Moves Intuit's clock and returns the matching time for the app's side. */
function advance(seconds: number): Date {
  intuit.emulator.advanceTime(seconds);
  return intuit.emulator.now();
}

async function connect(email: string, realmId: string): Promise<string> {
  const { outcome, tenantId } = await connectTenant(email, realmId);
  expect(outcome).toBe("connected");
  return tenantId;
}

/** CompanyInfo at the emulator with the access token the database holds now, as any later API call would use it. */
async function companyInfoWithStoredToken(tenantId: string) {
  const row = (await connectionRow(tenantId))!;
  const accessToken = tokenCipher().decrypt(row.accessTokenEnc!, connectionTokenBinding(row, "access_token_enc"));
  return (await getCompanyInfo({ apiBaseUrl: intuit.apiBaseUrl, realmId: row.realmId!, accessToken })).companyInfo;
}

async function scheduledRenewals(tenantId: string) {
  return db()
    .select()
    .from(refreshLogs)
    .where(and(eq(refreshLogs.tenantId, tenantId), eq(refreshLogs.trigger, "scheduled")));
}

const refreshCalls = () => intuit.emulator.calls.tokenRefreshToken;

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

describe("the background job keeps connections alive across several simulated token lifetimes", () => {
  it("renews the access token of a connection in use before it expires, lifetime after lifetime", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    // Globex connected too, but its last API call (the Verify step) was two days ago: the access-token rule
    // leaves it alone.
    const globex = await connect("accountant@globex.test", REALM_GLOBEX);
    await db()
      .update(quickbooksConnections)
      .set({ lastUsedAt: new Date(intuit.emulator.now().getTime() - 2 * DAY_S * 1000) })
      .where(eq(quickbooksConnections.tenantId, globex));
    const app = await intuitAppFor(acme);
    let now = intuit.emulator.now();
    await getUsableAccessToken({ tenantId: acme, app, now: () => now });

    for (let lifetime = 1; lifetime <= 4; lifetime++) {
      // Seven minutes before the access token expires.
      now = advance(ACCESS_TTL_S - 7 * MINUTE_S);
      const calls = refreshCalls();
      expect(await runRenewalSweep({ now })).toEqual({ examined: 1, renewed: 1, failed: 0, skipped: 0 });
      expect(refreshCalls() - calls).toBe(1);

      const row = (await connectionRow(acme))!;
      expect(row.status).toBe("active");
      expect(row.accessTokenExpiresAt!.getTime() - now.getTime()).toBe(ACCESS_TTL_S * 1000);
      // The app's next API call finds a fresh token: no renewal on demand, and Intuit accepts it.
      const token = await getUsableAccessToken({ tenantId: acme, app, now: () => now });
      expect(token.sealed).toBe(row.accessTokenEnc);
      const { companyInfo } = await getCompanyInfo({ apiBaseUrl: intuit.apiBaseUrl, realmId: token.realmId, accessToken: token.accessToken });
      expect(companyInfo.companyName).toBeTruthy();
      expect(refreshCalls() - calls).toBe(1);
    }

    const logs = await scheduledRenewals(acme);
    expect(logs).toHaveLength(4);
    expect(logs.every((log) => log.outcome === "success")).toBe(true);
    expect(await scheduledRenewals(globex)).toHaveLength(0);
  });

  it("keeps an idle tenant connected well past its first refresh token's lifetime", async () => {
    const globex = await connect("accountant@globex.test", REALM_GLOBEX);
    const first = (await connectionRow(globex))!;
    let now = intuit.emulator.now();

    // Nothing is due a day later, once the Verify step's use is over a day old: an idle connection is not renewed
    // for nothing.
    now = advance(DAY_S);
    expect(await runRenewalSweep({ now })).toEqual({ examined: 0, renewed: 0, failed: 0, skipped: 0 });
    advance(-DAY_S);

    for (let round = 1; round <= 3; round++) {
      now = advance(REFRESH_JUMP_S);
      expect(await runRenewalSweep({ now })).toEqual({ examined: 1, renewed: 1, failed: 0, skipped: 0 });
      const row = (await connectionRow(globex))!;
      expect(row.status).toBe("active");
      // Still idle: its last use was the Verify step at connection time.
      expect(row.lastUsedAt).toEqual(first.lastUsedAt);
      expect(row.refreshTokenExpiresAt!.getTime() - now.getTime()).toBe(REFRESH_TTL_S * 1000);
      expect((await companyInfoWithStoredToken(globex)).companyName).toBeTruthy();
      // A second sweep in the same minute finds nothing to do.
      expect((await runRenewalSweep({ now })).examined).toBe(0);
    }

    // 123 days on, the first refresh token would be long dead; Intuit holds exactly one live refresh token.
    expect(now.getTime()).toBeGreaterThan(first.refreshTokenExpiresAt!.getTime());
    expect(intuit.emulator.activeTokens({ realmId: REALM_GLOBEX, kind: "refresh" })).toHaveLength(1);
    const logs = await scheduledRenewals(globex);
    expect(logs.map((log) => [log.outcome, log.refreshTokenRotated])).toEqual([
      ["success", true],
      ["success", true],
      ["success", true],
    ]);
    expect(refreshCalls()).toBe(3);
  });

  it("does not try to refresh away Intuit's five-year cap", async () => {
    // The realm was first authorised five years ago less 80 days: the cap falls before a fresh 100 days would.
    intuit.emulator.setRealmFirstAuthorizedAt(REALM_ACME, Date.now() - (REFRESH_TOKEN_HARD_CAP_SECONDS - 80 * DAY_S) * 1000);
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const connected = (await connectionRow(acme))!;
    expect(connected.refreshTokenExpiresAt).toEqual(connected.refreshTokenHardExpiresAt);

    // 59 days left, but all of them up to the cap: a renewal would gain nothing.
    let now = advance(21 * DAY_S);
    expect(await runRenewalSweep({ now })).toEqual({ examined: 0, renewed: 0, failed: 0, skipped: 0 });
    expect(refreshCalls()).toBe(0);

    // In use, its access token is still renewed; the refresh token's expiry stays at the cap.
    now = advance(DAY_S);
    await db().update(quickbooksConnections).set({ lastUsedAt: now }).where(eq(quickbooksConnections.tenantId, acme));
    expect(await runRenewalSweep({ now })).toMatchObject({ examined: 1, renewed: 1 });
    const row = (await connectionRow(acme))!;
    const cap = connected.refreshTokenHardExpiresAt!.getTime();
    // Intuit states lifetimes in whole seconds: the same instant, give or take a second of rounding.
    expect(Math.abs(row.refreshTokenExpiresAt!.getTime() - cap)).toBeLessThanOrEqual(1000);
    expect(Math.abs(row.refreshTokenHardExpiresAt!.getTime() - cap)).toBeLessThanOrEqual(1000);
  });
});

describe("several sweepers, one renewal per connection", () => {
  it("two sweeps at once make exactly one token-endpoint call per due connection", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const globex = await connect("accountant@globex.test", REALM_GLOBEX);
    const now = advance(REFRESH_JUMP_S);
    // Acme is also in use (its access token long expired); Globex is idle. Both are due.
    await db().update(quickbooksConnections).set({ lastUsedAt: now }).where(eq(quickbooksConnections.tenantId, acme));

    const results = await Promise.all([runRenewalSweep({ now }), runRenewalSweep({ now })]);

    expect(refreshCalls()).toBe(2);
    expect(results.reduce((sum, r) => sum + r.renewed, 0)).toBe(2);
    expect(results.reduce((sum, r) => sum + r.failed, 0)).toBe(0);
    for (const tenant of [acme, globex]) {
      expect(await scheduledRenewals(tenant)).toHaveLength(1);
      expect((await connectionRow(tenant))!.status).toBe("active");
      expect((await companyInfoWithStoredToken(tenant)).companyName).toBeTruthy();
    }
  });

  it("a sweeper that selected a connection another has renewed since does not renew it again", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const now = advance(REFRESH_JUMP_S);
    const [candidate] = await selectConnectionsDueForRenewal(now);
    expect(candidate).toMatchObject({ tenantId: acme, reason: "refresh_token_expiring" });

    expect(await renewDueConnection(candidate!, { now })).toBe("renewed");
    // The stale selection arrives afterwards: under the lock the re-read row is no longer due.
    expect(await renewDueConnection(candidate!, { now })).toBe("skipped");
    expect(refreshCalls()).toBe(1);
    expect(await scheduledRenewals(acme)).toHaveLength(1);
  });

  it("a sweeper waiting for the row lock re-checks the row it gets, as a second instance would", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const now = advance(REFRESH_JUMP_S);
    const [candidate] = await selectConnectionsDueForRenewal(now);

    let settled = false;
    let renewal: Promise<string> | undefined;
    // Another instance holds the lock, renews (its effect on the row is simulated here) and commits.
    await db().transaction(async (tx) => {
      await lockConnection(tx, acme, "sandbox");
      renewal = renewDueConnection(candidate!, { now }).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(settled).toBe(false);
      await tx
        .update(quickbooksConnections)
        .set({
          accessTokenExpiresAt: new Date(now.getTime() + ACCESS_TTL_S * 1000),
          refreshTokenExpiresAt: new Date(now.getTime() + REFRESH_TTL_S * 1000),
          lastRefreshedAt: now,
        })
        .where(eq(quickbooksConnections.tenantId, acme));
    });

    expect(await renewal).toBe("skipped");
    expect(refreshCalls()).toBe(0);
  });

  it("one connection's failure does not stop the sweep", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const globex = await connect("accountant@globex.test", REALM_GLOBEX);
    // Acme's company disconnected the app inside QuickBooks: its refresh token is refused.
    intuit.emulator.revokeGrant(REALM_ACME);
    const now = advance(REFRESH_JUMP_S);

    expect(await runRenewalSweep({ now })).toEqual({ examined: 2, renewed: 1, failed: 1, skipped: 0 });
    expect((await connectionRow(acme))!.status).toBe("reauthorization_required");
    expect((await scheduledRenewals(acme)).map((log) => [log.outcome, log.errorCode])).toEqual([["failure", "invalid_grant"]]);
    expect((await connectionRow(globex))!.status).toBe("active");
    // A connection that needs reauthorization is not tried again.
    expect((await runRenewalSweep({ now: advance(MINUTE_S) })).examined).toBe(0);
  });
});

describe("the selection's SQL", () => {
  it("selects exactly the connections the due rules call due", async () => {
    const now = new Date("2026-06-01T12:00:00.000Z");
    const at = (seconds: number | null) => (seconds === null ? null : new Date(now.getTime() + seconds * 1000));
    // Values around every boundary of the rules.
    const choices = {
      status: ["active", "callback_received", "reauthorization_required", "disconnected"] as const,
      hasRefreshToken: [true, true, true, false],
      access: [null, -3600, 599, 600, 601, 3600],
      lastUsed: [null, -DAY_S - 1, -DAY_S, -60],
      refresh: [null, 59 * DAY_S, 60 * DAY_S - 1, 60 * DAY_S, 100 * DAY_S],
      hardAfterRefresh: [null, 0, DAY_S, DAY_S + 1, 4 * 365 * DAY_S],
      lastRefreshed: [null, -3599, -3600, -2 * DAY_S],
    };
    let seed = 42;
    const pick = <T>(list: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return list[seed % list.length]!;
    };
    const count = 400;
    const createdTenants = await db()
      .insert(tenants)
      .values(Array.from({ length: count }, (_, i) => ({ slug: `sweep-grid-${i}`, name: `Grid ${i}` })))
      .returning({ id: tenants.id });
    const rows = createdTenants.map(({ id }) => {
      const refresh = pick(choices.refresh);
      const hardAfter = pick(choices.hardAfterRefresh);
      return {
        tenantId: id,
        environment: "sandbox" as const,
        status: pick(choices.status),
        refreshTokenEnc: pick(choices.hasRefreshToken) ? "v1.sealed-refresh" : null,
        accessTokenEnc: "v1.sealed-access",
        accessTokenExpiresAt: at(pick(choices.access)),
        lastUsedAt: at(pick(choices.lastUsed)),
        refreshTokenExpiresAt: at(refresh),
        refreshTokenHardExpiresAt: hardAfter === null ? null : at((refresh ?? 0) + hardAfter),
        lastRefreshedAt: at(pick(choices.lastRefreshed)),
      };
    });
    await db().insert(quickbooksConnections).values(rows);

    const selected = new Set((await selectConnectionsDueForRenewal(now, 10_000)).map((candidate) => candidate.tenantId));
    const expected = new Set(
      rows
        .filter((row) => {
          const facts: RenewalFacts = {
            status: row.status,
            hasRefreshToken: row.refreshTokenEnc !== null,
            accessTokenExpiresAt: row.accessTokenExpiresAt,
            refreshTokenExpiresAt: row.refreshTokenExpiresAt,
            refreshTokenHardExpiresAt: row.refreshTokenHardExpiresAt,
            lastUsedAt: row.lastUsedAt,
            lastRefreshedAt: row.lastRefreshedAt,
          };
          return isDueForRenewal(facts, now);
        })
        .map((row) => row.tenantId),
    );
    expect(expected.size).toBeGreaterThan(20);
    expect(expected.size).toBeLessThan(count - 20);
    expect([...selected].sort()).toEqual([...expected].sort());
  });
});
