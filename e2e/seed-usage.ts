// Browser-test fixture: Intuit's metered (production) reads of this quota month for the usage spec (e2e/usage-data.ts),
// written into intuit_usage_daily, the counter the API client increments with every call it sends (the browser tests'
// real calls are sandbox calls, which Intuit never meters); Globex's own Intuit app on a small plan; then the usage
// alerts evaluated by the same function the background jobs run every 10 minutes (lib/usage/evaluate-usage-alerts.ts;
// the browser tests run with QBC_BACKGROUND_JOBS=off). Run by e2e/start-app.ts after the demo seed, before the app
// starts. Safe to run again on the same day: the counters are set, not added to.
import { eq, inArray, sql } from "drizzle-orm";
import { closeDatabase, db } from "@/db";
import { intuitAppPlans, intuitUsageDaily, tenants } from "@/db/schema";
import { meterCategoryOf } from "@/lib/intuit/operations";
import { PLATFORM_APP_KEY } from "@/lib/usage/app-key";
import { evaluateUsageAlerts } from "@/lib/usage/evaluate-usage-alerts";
import { quotaMonthOf, usageDayOf } from "@/lib/usage/rules/quota-month";
import { GLOBEX_APP, PLATFORM_READS, globexMonthStartDay, platformDays } from "./usage-data";

const now = new Date();
const rows = await db().select({ id: tenants.id, slug: tenants.slug }).from(tenants).where(inArray(tenants.slug, ["acme", "globex"]));
const idOf = new Map(rows.map((t) => [t.slug, t.id]));
const acme = idOf.get("acme");
const globex = idOf.get("globex");
if (!acme || !globex) throw new Error("Seed the demo data first.");

const days = platformDays(now);
const globexAppKey = `tenant:${globex}`;
const globexStartDay = globexMonthStartDay(now);
const globexFirstDay = usageDayOf(quotaMonthOf(now, globexStartDay).start);

const values = [
  ...PLATFORM_READS.map((r) => ({ day: days[r.when], appKey: PLATFORM_APP_KEY, tenantId: r.tenant === "acme" ? acme : globex, operation: r.operation, cause: r.cause, calls: r.calls })),
  ...GLOBEX_APP.reads.map((r) => ({ day: globexFirstDay, appKey: globexAppKey, tenantId: globex, operation: r.operation, cause: r.cause, calls: r.calls })),
].map((v) => ({ ...v, environment: "production" as const, category: meterCategoryOf(v.operation) }));

await db()
  .insert(intuitUsageDaily)
  .values(values)
  .onConflictDoUpdate({ target: [intuitUsageDaily.day, intuitUsageDaily.appKey, intuitUsageDaily.environment, intuitUsageDaily.tenantId, intuitUsageDaily.operation, intuitUsageDaily.cause], set: { calls: sql`excluded.calls` } });

const plan = { tier: "custom", monthlyQuota: GLOBEX_APP.quota, monthStartDay: globexStartDay, backgroundSharePct: GLOBEX_APP.backgroundSharePct };
await db()
  .insert(intuitAppPlans)
  .values({ appKey: globexAppKey, ...plan })
  .onConflictDoUpdate({ target: intuitAppPlans.appKey, set: plan });

const alerts = await evaluateUsageAlerts(now);
const [stored] = await db().select({ n: sql<number>`count(*)::int` }).from(intuitUsageDaily).where(eq(intuitUsageDaily.environment, "production"));
await closeDatabase();
if (stored?.n !== values.length) throw new Error(`Expected ${values.length} production usage rows, found ${stored?.n ?? 0}.`);
console.log(`Intuit usage seeded: ${values.length} production rows; alerts raised: ${JSON.stringify(alerts.raised)}.`);
