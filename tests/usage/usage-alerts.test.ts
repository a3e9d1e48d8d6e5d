// Usage alerts (issue 16, point 4): at 50, 80, 95 and 100 % of an Intuit app's monthly quota, each raised once per
// threshold, quota month and quota however often the job evaluates, recorded in the audit trail, and shown on every
// console page to the operator and the app's admins with what to do. A new plan's thresholds alert anew.
import { and, eq, gt, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents, intuitAppPlans, intuitUsageAlerts, intuitUsageDaily } from "@/db/schema";
import { resolveSession } from "@/lib/auth/session";
import { evaluateUsageAlerts } from "@/lib/usage/evaluate-usage-alerts";
import { listUsageAlertNotices } from "@/lib/usage/list-usage-alerts";
import { PLATFORM_APP_KEY } from "@/lib/usage/app-key";
import { useTestDatabase } from "@/tests/database";
import { sessionCookie, tenantId } from "@/tests/session";

useTestDatabase();

// The 20th of a month: the quota month (calendar, UTC) is 19 days old, so the projection is trusted.
const NOW = new Date("2026-11-20T12:00:00Z");
let acme = "";
let auditFloor = 0;

beforeEach(async () => {
  for (const table of [intuitUsageDaily, intuitUsageAlerts, intuitAppPlans]) await db().delete(table).where(sql`true`);
  // The audit trail refuses deletes (append-only): each test reads the rows after the last one before it.
  const [last] = await db().select({ id: sql<number>`coalesce(max(${auditEvents.id}), 0)::bigint` }).from(auditEvents);
  auditFloor = Number(last!.id);
  acme = await tenantId("acme");
});

/** Sets the platform app's production reads of the month to `reads`, all on its first day (no recent rate). */
async function readsThisMonth(reads: number): Promise<void> {
  await db()
    .insert(intuitUsageDaily)
    .values({ day: "2026-11-01", appKey: PLATFORM_APP_KEY, environment: "production", tenantId: acme, operation: "query", category: "coreplus", cause: "sync", calls: reads })
    .onConflictDoUpdate({
      target: [intuitUsageDaily.day, intuitUsageDaily.appKey, intuitUsageDaily.environment, intuitUsageDaily.tenantId, intuitUsageDaily.operation, intuitUsageDaily.cause],
      set: { calls: reads },
    });
}

const alertAudits = () =>
  db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "usage.alert_raised"), gt(auditEvents.id, auditFloor)))
    .orderBy(auditEvents.id);
const raised = async (now = NOW) => (await evaluateUsageAlerts(now)).raised.filter((r) => r.appKey === PLATFORM_APP_KEY).map((r) => r.threshold);

async function actorOf(email: string) {
  const session = await resolveSession(new Headers({ cookie: await sessionCookie(email, "acme") }));
  if (session.kind !== "actor") throw new Error(`${email} has no session`);
  return session.actor;
}

describe("usage alerts", () => {
  it("raises each threshold once, however often it is evaluated, and records each in the audit trail", async () => {
    await readsThisMonth(260_000);
    expect(await raised()).toEqual([50]);
    expect(await raised()).toEqual([]);
    await readsThisMonth(410_000);
    expect(await raised()).toEqual([80]);
    await readsThisMonth(500_000);
    expect(await raised()).toEqual([95, 100]);
    expect(await raised(new Date(NOW.getTime() + 60 * 60 * 1000))).toEqual([]);

    const audits = await alertAudits();
    expect(audits.map((a) => (a.details as { threshold: number }).threshold)).toEqual([50, 80, 95, 100]);
    expect(audits.every((a) => a.tenantId === null && a.target === `intuit_app:${PLATFORM_APP_KEY}`)).toBe(true);
    expect(await db().select().from(intuitUsageAlerts).where(eq(intuitUsageAlerts.appKey, PLATFORM_APP_KEY))).toHaveLength(4);
  });

  it("shows the highest one to the operator and the tenant admin with what to do, and nothing to an accountant", async () => {
    await readsThisMonth(410_000);
    await raised();
    const [operator] = await listUsageAlertNotices(await actorOf("operator@awra.test"), NOW);
    expect(operator).toMatchObject({ threshold: 80, basis: "actual", href: "/integrations/quickbooks/usage?app=platform" });
    expect(operator!.headline).toBe("The platform's Intuit app has used 80 % of its monthly Intuit read quota: 410,000 of 500,000 metered reads.");
    expect(operator!.action).toContain("Upgrade the app's tier with Intuit (Silver: 1,000,000 reads a month)");
    const [admin] = await listUsageAlertNotices(await actorOf("admin@acme.test"), NOW);
    expect(admin!.action).toContain("The platform operator has been alerted");
    expect(await listUsageAlertNotices(await actorOf("accountant@acme.test"), NOW)).toEqual([]);
  });

  it("alerts anew against a new plan's quota: 50 % of Silver after 50 % and 80 % of Builder (it conflicted with Builder's rows and was lost)", async () => {
    await readsThisMonth(410_000);
    expect(await raised()).toEqual([50, 80]);
    await db().insert(intuitAppPlans).values({ appKey: PLATFORM_APP_KEY, tier: "silver", monthlyQuota: 1_000_000 });
    // Under Silver the month is at 41 %: the banner drops Builder's alerts.
    const operator = await actorOf("operator@awra.test");
    expect(await listUsageAlertNotices(operator, NOW)).toEqual([]);

    await readsThisMonth(520_000);
    expect(await raised()).toEqual([50]);
    const [notice] = await listUsageAlertNotices(operator, NOW);
    expect(notice!.headline).toContain("520,000 of 1,000,000 metered reads");
    const silver = await db()
      .select()
      .from(intuitUsageAlerts)
      .where(and(eq(intuitUsageAlerts.appKey, PLATFORM_APP_KEY), eq(intuitUsageAlerts.quota, 1_000_000)));
    expect(silver.map((a) => a.threshold)).toEqual([50]);
    expect((await alertAudits()).map((a) => (a.details as { quota: number }).quota)).toEqual([500_000, 500_000, 1_000_000]);
  });
});
