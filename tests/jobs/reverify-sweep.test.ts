import { and, eq, inArray } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents, quickbooksConnections, refreshLogs, tenantIntuitSettings, tenants, type ConnectionStatus } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, connectionRow, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { runTokenSweeps } from "@/lib/jobs/queue";
import {
  REVERIFY_AFTER_MS,
  REVERIFY_RETRY_AFTER_FAILURE_MS,
  isDueForReverify,
  runReverifySweep,
  selectConnectionsDueForReverify,
  type ReverifyFacts,
} from "@/lib/jobs/reverify-sweep";

const REALM_ACME = "9341452000000001";
const REALM_GLOBEX = "9341452000000002";
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

useTestDatabase();
const intuit = useIntuitMock();

const ago = (ms: number) => new Date(Date.now() - ms);

async function connect(email: string, realmId: string): Promise<string> {
  const { outcome, tenantId } = await connectTenant(email, realmId);
  expect(outcome).toBe("connected");
  return tenantId;
}

async function setConnection(tenantId: string, values: Partial<typeof quickbooksConnections.$inferInsert>) {
  await db().update(quickbooksConnections).set(values).where(eq(quickbooksConnections.tenantId, tenantId));
}

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
  await db().delete(tenantIntuitSettings).where(inArray(tenantIntuitSettings.environment, ["sandbox", "production"]));
});

describe("the daily re-verify sweep", () => {
  it("re-verifies active connections verified a day ago or more, oldest first, as a background check", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const globex = await connect("accountant@globex.test", REALM_GLOBEX);
    const idleSince = ago(5 * DAY);
    await setConnection(acme, { verifiedAt: ago(2 * DAY), lastUsedAt: idleSince });
    await setConnection(globex, { verifiedAt: ago(3 * DAY), lastUsedAt: idleSince });
    const apiCalls = intuit.emulator.calls.api;

    // One a run: Globex, whose Verify is older, goes first.
    expect(await runReverifySweep({ limit: 1 })).toEqual({ examined: 1, verified: 1, failed: 0, skipped: 0, deferred: 0 });
    expect((await connectionRow(globex))!.verifiedAt!.getTime()).toBeGreaterThan(Date.now() - MINUTE);
    expect((await connectionRow(acme))!.verifiedAt!.getTime()).toBeLessThan(Date.now() - DAY);
    expect(await runReverifySweep()).toEqual({ examined: 1, verified: 1, failed: 0, skipped: 0, deferred: 0 });
    // Both fresh now: nothing to do until tomorrow.
    expect(await runReverifySweep()).toMatchObject({ examined: 0 });
    expect(intuit.emulator.calls.api - apiCalls).toBe(2);

    const row = (await connectionRow(acme))!;
    expect(row.status).toBe("active");
    // A background check is not a use: the renewal sweep must not keep an idle connection's access token warm for it.
    expect(row.lastUsedAt).toEqual(idleSince);
    expect(row.verifyEvidence).toMatchObject({ realmId: REALM_ACME, verifiedAt: row.verifiedAt!.toISOString(), intuitTid: row.verifyIntuitTid });
    const verified = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme), eq(auditEvents.action, "connection.verified")))
      .orderBy(auditEvents.id);
    expect(verified.at(-1)).toMatchObject({ actorUserId: null, outcome: "success" });
  });

  it("keeps the indicator green: a week-old Verify turns it red, the sweep turns it back", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    await setConnection(acme, { verifiedAt: ago(7 * DAY + MINUTE) });
    const stale = await getConnectionStatus(acme);
    expect(stale.indicator).toBe("red");
    expect(stale.reasons.join(" ")).toMatch(/last successful Verify was 7 days ago/);

    expect((await runTokenSweeps()).reverify).toEqual({ examined: 1, verified: 1, failed: 0, skipped: 0, deferred: 0 });
    const fresh = await getConnectionStatus(acme);
    expect(fresh.indicator).toBe("green");
    expect(fresh.reasons).toEqual([]);
  });

  it("renews an expired access token first, logged as a scheduled renewal", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    await setConnection(acme, { verifiedAt: ago(2 * DAY), accessTokenExpiresAt: ago(HOUR), lastUsedAt: ago(2 * DAY) });
    intuit.emulator.advanceTime(2 * 60 * 60);
    expect(await runReverifySweep()).toMatchObject({ verified: 1 });
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);
    expect(await db().select().from(refreshLogs).where(eq(refreshLogs.tenantId, acme))).toMatchObject([{ trigger: "scheduled", outcome: "success" }]);
  });

  it("records a failed Verify on the connection and retries it an hour later, not every minute", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    await setConnection(acme, { verifiedAt: ago(2 * DAY) });
    intuit.emulator.injectFault({ target: "api", status: 403 });

    expect(await runReverifySweep()).toEqual({ examined: 1, verified: 0, failed: 1, skipped: 0, deferred: 0 });
    const failed = (await connectionRow(acme))!;
    expect(failed).toMatchObject({ status: "active", lastErrorStep: "verify" });
    expect((await getConnectionStatus(acme)).indicator).toBe("red");

    expect(await runReverifySweep({ now: new Date(Date.now() + MINUTE) })).toMatchObject({ examined: 0 });
    expect(await runReverifySweep({ now: new Date(failed.lastErrorAt!.getTime() + REVERIFY_RETRY_AFTER_FAILURE_MS) })).toMatchObject({
      examined: 1,
      verified: 1,
    });
    expect((await connectionRow(acme))!).toMatchObject({ lastErrorStep: null, lastErrorAt: null });
    expect((await getConnectionStatus(acme)).indicator).toBe("green");
  });

  it("stops the run when Intuit looks down, leaving the rest for the next run", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const globex = await connect("accountant@globex.test", REALM_GLOBEX);
    await setConnection(acme, { verifiedAt: ago(3 * DAY) });
    await setConnection(globex, { verifiedAt: ago(2 * DAY) });
    intuit.emulator.injectFault({ target: "api", status: 503, times: 10 });

    expect(await runReverifySweep()).toEqual({ examined: 2, verified: 0, failed: 1, skipped: 0, deferred: 1 });
    expect((await connectionRow(acme))!.lastErrorStep).toBe("verify");
    expect((await connectionRow(globex))!.lastErrorAt).toBeNull();
  });

  it("leaves connections that are not active, or not of the tenant's current environment", async () => {
    const acme = await connect("accountant@acme.test", REALM_ACME);
    const globex = await connect("accountant@globex.test", REALM_GLOBEX);
    await setConnection(acme, { verifiedAt: ago(2 * DAY), status: "reauthorization_required" });
    await setConnection(globex, { verifiedAt: ago(2 * DAY) });
    // Globex switched to production: its sandbox connection is not the one verifyConnection would verify.
    await db().insert(tenantIntuitSettings).values({ tenantId: globex, environment: "production" });
    expect(await runReverifySweep()).toMatchObject({ examined: 0 });
    expect(intuit.emulator.calls.api).toBe(2);
  });

  it("selects in SQL exactly what the rule says is due", async () => {
    const now = new Date();
    const statuses: ConnectionStatus[] = ["active", "callback_received", "reauthorization_required", "disconnected"];
    const verifiedAts = [null, REVERIFY_AFTER_MS - MINUTE, REVERIFY_AFTER_MS, 5 * DAY];
    const errorAts = [null, REVERIFY_RETRY_AFTER_FAILURE_MS / 2, REVERIFY_RETRY_AFTER_FAILURE_MS, 2 * REVERIFY_RETRY_AFTER_FAILURE_MS];
    const sealed = tokenCipher().encrypt("not-a-real-token");
    const cases: (ReverifyFacts & { slug: string })[] = [];
    for (const status of statuses)
      for (const hasAccessToken of [true, false])
        for (const verifiedAgo of verifiedAts)
          for (const errorAgo of errorAts)
            for (const currentEnvironment of [true, false]) {
              cases.push({
                slug: `rule-${cases.length}`,
                status,
                hasAccessToken,
                verifiedAt: verifiedAgo === null ? null : new Date(now.getTime() - verifiedAgo),
                lastErrorAt: errorAgo === null ? null : new Date(now.getTime() - errorAgo),
                currentEnvironment,
              });
            }
    const inserted = await db()
      .insert(tenants)
      .values(cases.map((c) => ({ slug: c.slug, name: c.slug })))
      .returning({ id: tenants.id, slug: tenants.slug });
    const idBySlug = new Map(inserted.map((t) => [t.slug, t.id]));
    await db()
      .insert(quickbooksConnections)
      .values(
        cases.map((c) => ({
          tenantId: idBySlug.get(c.slug)!,
          // The platform's environment is sandbox (tests/setup.ts): a production connection is not the current one.
          environment: c.currentEnvironment ? ("sandbox" as const) : ("production" as const),
          status: c.status,
          realmId: c.slug,
          accessTokenEnc: c.hasAccessToken ? sealed : null,
          verifiedAt: c.verifiedAt,
          lastErrorAt: c.lastErrorAt,
        })),
      );

    const selected = await selectConnectionsDueForReverify(now, 10_000);
    const expected = cases.filter((c) => isDueForReverify(c, now)).map((c) => idBySlug.get(c.slug));
    expect(expected.length).toBeGreaterThan(0);
    expect(selected.map((s) => s.tenantId).sort()).toEqual(expected.sort());
    await db().delete(quickbooksConnections).where(inArray(quickbooksConnections.tenantId, [...idBySlug.values()]));
    await db().delete(tenants).where(inArray(tenants.id, [...idBySlug.values()]));
  });
});
