// Browser-test fixture: a scripted day of QuickBooks traffic for Acme (e2e/health-traffic.ts), recorded through the
// same functions the app records with (lib/metrics/record.ts), with `at` times over the last 20 hours. Run by
// e2e/start-app.ts after the demo seed, before the app starts; e2e/health.spec.ts checks the dashboard shows it.
import { count, eq } from "drizzle-orm";
import { closeDatabase, db } from "@/db";
import { qboApiCalls, tenants } from "@/db/schema";
import { recordApiCall, recordProcessingError, recordThrottleHit, recordTokenRenewal, recordWebhookDelays } from "@/lib/metrics/record";
import { scriptedDay } from "./health-traffic";

const [acme] = await db().select().from(tenants).where(eq(tenants.slug, "acme"));
if (!acme) throw new Error("Seed the demo data first.");
const tenantId = acme.id;
const day = scriptedDay(new Date());

for (const call of day.calls) {
  await recordApiCall({ tenantId, environment: "sandbox", realmId: "9341452000000001", meter: null, ...call });
}
for (const throttle of day.throttles) await recordThrottleHit({ tenantId, ...throttle });
for (const renewal of day.renewals) await recordTokenRenewal({ tenantId, ...renewal });
for (const batch of day.webhookBatches) await recordWebhookDelays({ tenantId, ...batch });
for (const error of day.processingErrors) await recordProcessingError({ tenantId, ...error });

// Recording swallows its failures (it must never break a business operation): make sure this one did not.
const [stored] = await db().select({ n: count() }).from(qboApiCalls).where(eq(qboApiCalls.tenantId, tenantId));
if (stored?.n !== day.calls.length) throw new Error(`Expected ${day.calls.length} API calls recorded for Acme, found ${stored?.n ?? 0}.`);
await closeDatabase();
console.log(`Acme's scripted day of traffic seeded: ${day.calls.length} API calls.`);
