import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { qboApiCalls, qboHealthHourly, qboRealmPermits } from "@/db/schema";
import { recordApiCall, recordWebhookDelays } from "@/lib/metrics/record";
import { useTestDatabase } from "@/tests/database";
import { tenantId } from "@/tests/session";
import { runTokenSweeps } from "@/lib/jobs/queue";
import { runMetricsRetentionSweep } from "@/lib/jobs/metrics-retention-sweep";

useTestDatabase();

const NOW = new Date("2026-06-01T12:00:00.000Z");
const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;
let acme: string;

beforeEach(async () => {
  acme = await tenantId("acme");
  await db().delete(qboApiCalls).where(sql`true`);
  await db().delete(qboHealthHourly).where(sql`true`);
  await db().delete(qboRealmPermits).where(sql`true`);
});

const callAt = (at: Date) =>
  recordApiCall({
    tenantId: acme,
    environment: "sandbox",
    realmId: "1",
    operation: "query",
    outcome: "success",
    httpStatus: 200,
    latencyMs: 10,
    intuitTid: null,
    errorCode: null,
    errorMessage: null,
    at,
  });

const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe("the metrics retention sweep", () => {
  it("deletes API calls after 30 days, hourly counters after 400 days and permits after 10 minutes, and nothing newer", async () => {
    await callAt(ago(31 * DAY));
    await callAt(ago(29 * DAY));
    await recordWebhookDelays({ tenantId: acme, delaysMs: [1], at: ago(401 * DAY) });
    await recordWebhookDelays({ tenantId: acme, delaysMs: [1], at: ago(399 * DAY) });
    await db()
      .insert(qboRealmPermits)
      .values([
        // Old and finished: deleted.
        { realmKey: "sandbox:1", startedAt: ago(11 * MINUTE), leaseExpiresAt: ago(10 * MINUTE), finishedAt: ago(10 * MINUTE) },
        // Old but its lease still runs: kept.
        { realmKey: "sandbox:1", startedAt: ago(11 * MINUTE), leaseExpiresAt: new Date(NOW.getTime() + MINUTE) },
        // Recent: kept.
        { realmKey: "sandbox:1", startedAt: ago(2 * MINUTE), leaseExpiresAt: ago(MINUTE), finishedAt: ago(MINUTE) },
      ]);

    const result = await runMetricsRetentionSweep({ now: NOW });
    // The api_call counters of 31 and 29 days ago are within 400 days: only the webhook row of 401 days goes.
    expect(result).toEqual({ apiCalls: 1, hourly: 1, permits: 1 });
    expect(await db().select().from(qboApiCalls)).toHaveLength(1);
    expect(await db().select().from(qboHealthHourly)).toHaveLength(3);
    expect(await db().select().from(qboRealmPermits)).toHaveLength(2);

    expect(await runMetricsRetentionSweep({ now: NOW })).toEqual({ apiCalls: 0, hourly: 0, permits: 0 });
  });

  it("runs with the other sweeps", async () => {
    await callAt(ago(31 * DAY));
    const report = await runTokenSweeps({ now: NOW });
    expect(report.retention).toEqual({ apiCalls: 1, hourly: 0, permits: 0 });
  });
});
