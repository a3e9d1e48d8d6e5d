import { eq, inArray } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { quickbooksConnections, tenants } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { runCatchUpSweep } from "@/lib/jobs/catch-up-sweep";
import { REVERIFY_AFTER_MS, isDueForReverify, runReverifySweep, selectConnectionsDueForReverify, type ReverifyFacts } from "@/lib/jobs/reverify-sweep";
import { requestCatchUp } from "@/lib/quickbooks/store/catch-up-requests";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, connectionRow, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";

// A connection that waits in the catch-up's queue (evidence asked for one, not yet tried) is proven by that catch-up
// within minutes: the re-verify must not spend a CompanyInfo read on it first. After an outage every connection is
// asked for a catch-up at once, and the catch-up takes 25 a minute, so without this rule each connection whose last
// proof passed the re-verify's age while it waited got a Verify and then the catch-up: two reads where one proves it
// (bench/idle-reads.ts measured 0.2 extra reads per company for a 6-hour outage at 1,000 companies).

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

useTestDatabase();
const intuit = useIntuitMock();

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

async function setConnection(tenantId: string, values: Partial<typeof quickbooksConnections.$inferInsert>) {
  await db().update(quickbooksConnections).set(values).where(eq(quickbooksConnections.tenantId, tenantId));
}

describe("the re-verify and the catch-up's queue", () => {
  it("leaves a connection whose catch-up is queued to that catch-up, and verifies it once the catch-up has failed", async () => {
    const { tenantId: acme } = await connectTenant("accountant@acme.test");
    const now = new Date();
    await setConnection(acme, { verifiedAt: new Date(now.getTime() - 3 * DAY), provenAt: new Date(now.getTime() - 2 * DAY), lastCatchUpAt: new Date(now.getTime() - 2 * DAY) });
    await requestCatchUp([acme], "app_down", now);
    const apiCalls = intuit.emulator.calls.api;

    expect(await runReverifySweep({ now })).toMatchObject({ examined: 0 });
    expect(intuit.emulator.calls.api).toBe(apiCalls);

    // The catch-up proves it: one read, and nothing left for the re-verify.
    expect(await runCatchUpSweep({ now })).toMatchObject({ caughtUp: 1, triggers: { app_down: 1 } });
    expect(await runReverifySweep({ now: new Date(now.getTime() + MINUTE) })).toMatchObject({ examined: 0 });
    expect(intuit.emulator.calls.api).toBe(apiCalls + 1);

    // A catch-up that was tried and failed does not hold the Verify back.
    const later = new Date(now.getTime() + 2 * DAY);
    await requestCatchUp([acme], "webhook_failed", later);
    await setConnection(acme, { catchUpAttemptedAt: new Date(later.getTime() + MINUTE) });
    expect(await runReverifySweep({ now: new Date(later.getTime() + 2 * MINUTE) })).toMatchObject({ examined: 1, verified: 1 });
    expect((await connectionRow(acme))!.verifiedAt!.getTime()).toBeGreaterThan(now.getTime());
  });

  it("still verifies a queued connection whose last error is newer than its Verify (only a Verify clears it)", async () => {
    const { tenantId: acme } = await connectTenant("accountant@acme.test");
    const now = new Date();
    const verifiedAt = new Date(now.getTime() - 3 * HOUR);
    await setConnection(acme, { verifiedAt, lastErrorAt: new Date(verifiedAt.getTime() + MINUTE), lastErrorStep: "verify" });
    await requestCatchUp([acme], "app_down", now);
    expect((await selectConnectionsDueForReverify(now)).map((c) => c.tenantId)).toEqual([acme]);
  });

  it("selects in SQL exactly what the rule says, queued or not", async () => {
    const now = new Date();
    const sealed = tokenCipher().encrypt("not-a-real-token");
    const ago = (ms: number | null) => (ms === null ? null : new Date(now.getTime() - ms));
    const cases: (ReverifyFacts & { slug: string })[] = [];
    for (const provenAgo of [HOUR, REVERIFY_AFTER_MS, 3 * DAY])
      for (const errorAgo of [null, 2 * HOUR])
        for (const requestedAgo of [null, 10 * MINUTE])
          for (const attemptedAgo of [null, 20 * MINUTE, 5 * MINUTE]) {
            cases.push({
              slug: `queue-${cases.length}`,
              status: "active",
              hasAccessToken: true,
              currentEnvironment: true,
              verifiedAt: ago(5 * DAY),
              provenAt: ago(provenAgo),
              lastErrorAt: ago(errorAgo),
              catchUpRequestedAt: ago(requestedAgo),
              catchUpAttemptedAt: ago(attemptedAgo),
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
          environment: "sandbox" as const,
          status: c.status,
          realmId: c.slug,
          accessTokenEnc: sealed,
          verifiedAt: c.verifiedAt,
          provenAt: c.provenAt,
          lastErrorAt: c.lastErrorAt,
          catchUpRequestedAt: c.catchUpRequestedAt,
          catchUpAttemptedAt: c.catchUpAttemptedAt,
        })),
      );

    const selected = await selectConnectionsDueForReverify(now, 10_000);
    const expected = cases.filter((c) => isDueForReverify(c, now)).map((c) => idBySlug.get(c.slug));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(cases.length);
    expect(selected.map((s) => s.tenantId).sort()).toEqual(expected.sort());
    await db().delete(quickbooksConnections).where(inArray(quickbooksConnections.tenantId, [...idBySlug.values()]));
    await db().delete(tenants).where(inArray(tenants.id, [...idBySlug.values()]));
  });
});
