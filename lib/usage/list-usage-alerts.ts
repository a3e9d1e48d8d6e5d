import "server-only";
import { and, desc, eq, gte, inArray } from "drizzle-orm";
import { db } from "@/db";
import { intuitAppPlans, intuitUsageAlerts, tenants } from "@/db/schema";
import { allows } from "@/lib/auth/permissions";
import { tenantOfAppKey } from "./app-key";
import { planRouteFor, type UsageViewer } from "./resolve-usage-view";
import { alertMessage } from "./rules/alert-message";
import type { AlertBasis } from "./rules/alert-thresholds";
import { quotaMonthOf, usageDayOf } from "./rules/quota-month";
import { DEFAULT_PLAN } from "./store/plans";
import { appLabel, appOfTenant, type IntuitAppRef } from "./store/intuit-apps";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface UsageAlertNotice {
  appKey: string;
  threshold: number;
  basis: AlertBasis;
  headline: string;
  action: string;
  /** The usage page of this app, for the viewer. */
  href: string;
}

/**
 * The usage alerts to show on every console page: for the platform operator, every app's; for a tenant's admin, the
 * app the tenant uses. One notice per app, its highest threshold of the current quota month raised against the app's
 * current quota (an upgrade clears the banner until the new quota's own thresholds are reached; the audit trail keeps
 * every alert). Nothing, and no query, for anyone else.
 */
export async function listUsageAlertNotices(viewer: UsageViewer, now = new Date()): Promise<UsageAlertNotice[]> {
  if (!allows(viewer, "usage.read")) return [];
  const own = viewer.isPlatformOperator ? null : await appOfTenant(viewer.tenantId);
  // Any alert of the current quota month is younger than 32 days, whatever day the month starts on.
  const recent = gte(intuitUsageAlerts.month, usageDayOf(new Date(now.getTime() - 32 * DAY_MS)));
  const rows = await db()
    .select({ alert: intuitUsageAlerts, plan: intuitAppPlans })
    .from(intuitUsageAlerts)
    .leftJoin(intuitAppPlans, eq(intuitAppPlans.appKey, intuitUsageAlerts.appKey))
    .where(own ? and(recent, eq(intuitUsageAlerts.appKey, own.appKey)) : recent)
    .orderBy(desc(intuitUsageAlerts.threshold));
  const best = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const plan = row.plan ?? DEFAULT_PLAN;
    const month = quotaMonthOf(now, plan.monthStartDay);
    if (row.alert.month !== usageDayOf(month.start) || best.has(row.alert.appKey)) continue;
    if (row.alert.quota === plan.monthlyQuota) best.set(row.alert.appKey, row);
  }
  if (best.size === 0) return [];
  const apps = own ? new Map([[own.appKey, own]]) : await appsOf([...best.keys()]);
  const notices: UsageAlertNotice[] = [];
  for (const [appKey, { alert, plan }] of best) {
    const app = apps.get(appKey);
    if (!app) continue;
    const current = plan ?? DEFAULT_PLAN;
    const planSetBy =
      planRouteFor(app, viewer) !== null
        ? ({ kind: "viewer" } as const)
        : app.tenantId === null
          ? ({ kind: "platform_operator" } as const)
          : ({ kind: "tenant_admins", tenantName: app.tenantName ?? "The tenant" } as const);
    const message = alertMessage({
      appLabel: appLabel(app),
      threshold: alert.threshold,
      basis: alert.basis as AlertBasis,
      readsAtAlert: alert.readsAtAlert,
      projectedAtAlert: alert.projectedAtAlert,
      quota: current.monthlyQuota,
      monthEnd: quotaMonthOf(now, current.monthStartDay).end,
      planSetBy,
    });
    const href = viewer.isPlatformOperator ? `/integrations/quickbooks/usage?app=${encodeURIComponent(appKey)}` : "/integrations/quickbooks/usage";
    notices.push({ appKey, threshold: alert.threshold, basis: alert.basis as AlertBasis, ...message, href });
  }
  return notices;
}

/** The apps the keys name, with their tenants' names (the platform's first). */
async function appsOf(keys: string[]): Promise<Map<string, IntuitAppRef>> {
  const ids = keys.map(tenantOfAppKey).filter((id): id is string => id !== null);
  const names = ids.length === 0 ? [] : await db().select({ id: tenants.id, name: tenants.name }).from(tenants).where(inArray(tenants.id, ids));
  const byId = new Map(names.map((t) => [t.id, t.name]));
  const apps = new Map<string, IntuitAppRef>();
  for (const key of keys) {
    const tenantId = tenantOfAppKey(key);
    if (tenantId === null) apps.set(key, { appKey: key, tenantId: null, tenantName: null });
    else if (byId.has(tenantId)) apps.set(key, { appKey: key, tenantId, tenantName: byId.get(tenantId)! });
  }
  return apps;
}
