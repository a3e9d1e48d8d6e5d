import "server-only";
import { db } from "@/db";
import { intuitUsageAlerts } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { tenantOfAppKey } from "./app-key";
import { readUsageSnapshot } from "./read-usage-snapshot";
import { emitEvent } from "@/lib/notifications/store/outbox";
import { crossedThresholds, type AlertBasis } from "./rules/alert-thresholds";
import { usageDayOf } from "./rules/quota-month";
import { listIntuitApps } from "./store/intuit-apps";

/** How often the alerts are evaluated (lib/jobs/queue.ts): a quota month moves slowly, and each pass sums every app's month. */
export const USAGE_ALERTS_EVERY_MS = 10 * 60 * 1000;

/** The alert table's counts are PostgreSQL integers: a runaway projection is stored at the column's ceiling. */
const INT_MAX = 2_147_483_647;

export interface UsageAlertsResult {
  apps: number;
  raised: { appKey: string; threshold: number; basis: AlertBasis }[];
}

/**
 * Raises the usage alerts due for every Intuit app: each threshold (50, 80, 95, 100 % of the quota) the month has
 * reached, or is projected to reach, once per app, quota month and quota. The table's primary key (app, month, quota,
 * threshold) is what makes it once, whoever evaluates and however often, and lets a new plan's thresholds alert anew; each alert raised is recorded in the audit trail, in the
 * same transaction (the tenant's trail for a tenant's own app, the platform's, without a tenant, for the platform's).
 */
export async function evaluateUsageAlerts(now = new Date()): Promise<UsageAlertsResult> {
  const apps = await listIntuitApps();
  const raised: UsageAlertsResult["raised"] = [];
  // One app at a time: a handful of indexed sums each, never a burst of connections.
  for (const app of apps) {
    const snapshot = await readUsageSnapshot(app.appKey, now);
    const crossed = crossedThresholds({
      used: snapshot.used,
      projectedMonthEnd: snapshot.projection.monthEnd,
      quota: snapshot.plan.monthlyQuota,
      monthStart: snapshot.month.start,
      now,
    });
    if (crossed.length === 0) continue;
    const month = usageDayOf(snapshot.month.start);
    const readsAtAlert = Math.min(snapshot.used, INT_MAX);
    const projectedAtAlert = Math.min(snapshot.projection.monthEnd, INT_MAX);
    await db().transaction(async (tx) => {
      const inserted = await tx
        .insert(intuitUsageAlerts)
        .values(crossed.map((c) => ({ appKey: app.appKey, month, quota: snapshot.plan.monthlyQuota, threshold: c.threshold, basis: c.basis, readsAtAlert, projectedAtAlert, raisedAt: now })))
        .onConflictDoNothing()
        .returning();
      for (const alert of inserted) {
        await recordAudit(tx, {
          tenantId: tenantOfAppKey(app.appKey),
          actorUserId: null,
          action: "usage.alert_raised",
          target: `intuit_app:${app.appKey}`,
          outcome: "success",
          details: {
            appKey: app.appKey,
            month,
            threshold: alert.threshold,
            basis: alert.basis,
            reads: readsAtAlert,
            projected: projectedAtAlert,
            quota: snapshot.plan.monthlyQuota,
            tier: snapshot.plan.tier,
          },
        });
        // A tenant's own Intuit app: its members hear of it (the platform's app is the operator's, on the usage page).
        const tenantId = tenantOfAppKey(app.appKey);
        if (tenantId && alert.basis === "actual") {
          await emitEvent(tx, {
            tenantId,
            type: "usage.quota_threshold",
            data: { threshold: alert.threshold, reads: readsAtAlert, quota: snapshot.plan.monthlyQuota, month },
            dedupeKey: `usage:${app.appKey}:${month}:${alert.threshold}`,
            at: now,
          });
        }
        raised.push({ appKey: app.appKey, threshold: alert.threshold, basis: alert.basis as AlertBasis });
      }
    });
  }
  return { apps: apps.length, raised };
}
