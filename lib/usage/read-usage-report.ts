import "server-only";
import { READ_CAUSES, type ReadCause } from "@/lib/intuit/operations";
import { readUsageSnapshot, type UsageSnapshot } from "./read-usage-snapshot";
import { breakdownScopeOf, planRouteFor, type UsageView } from "./resolve-usage-view";
import { governorWarning } from "./rules/governor";
import { usageDayOf } from "./rules/quota-month";
import { readGovernorRow } from "./store/background-governor";
import { appLabel, listIntuitApps, type IntuitAppRef } from "./store/intuit-apps";
import { connectedCompanies, readsByDayAndCause, readsByOperation, readTotals, topTenants, type TenantReads, type UsageScope } from "./store/usage-breakdown";

const DAY_MS = 24 * 60 * 60 * 1000;
/** How many tenants the operator's "top tenants" lists. */
export const TOP_TENANTS = 10;

export interface UsageDay {
  day: string;
  byCause: Record<ReadCause, number>;
  total: number;
}

export interface AppSummary {
  app: IntuitAppRef;
  label: string;
  snapshot: UsageSnapshot;
}

export interface UsageReport {
  app: IntuitAppRef;
  label: string;
  /** The app-wide month: plan, quota month, metered reads so far, projection, background budget, block. */
  snapshot: UsageSnapshot;
  /** Who the breakdowns below cover: the whole app (operator) or one tenant on it. */
  scope: { kind: "app" } | { kind: "tenant"; tenantId: string; tenantName: string };
  /** Each UTC day of the quota month so far, by cause. */
  days: UsageDay[];
  operations: { operation: string; calls: number }[];
  totals: { reads: number; background: number };
  /** Companies connected in production in the scope, and the background reads each cost this month on average. */
  connected: number;
  backgroundPerCompany: number | null;
  /** Sandbox reads in the scope this month: counted, never metered. */
  sandboxReads: number;
  /** The operator's: the tenants that read the most on the app this month. */
  topTenants: TenantReads[] | null;
  /** The operator's: every Intuit app with its month. */
  apps: AppSummary[] | null;
  /** Where the viewer saves this app's plan, or null when the plan is someone else's to set. */
  planRoute: string | null;
  /** What the governor slows of the app's background reads, with the numbers; null at the normal pace. */
  governor: string | null;
}

/** Everything the usage page shows for a view, as of `now`. */
export async function readUsageReport(view: UsageView, now = new Date()): Promise<UsageReport> {
  const [apps, snapshot] = await Promise.all([view.kind === "operator" ? listIntuitApps() : Promise.resolve(null), readUsageSnapshot(view.app.appKey, now)]);
  const breakdown = breakdownScopeOf(view);
  const month: UsageScope = { ...breakdown, environment: "production", fromDay: usageDayOf(snapshot.month.start), toDay: usageDayOf(new Date(now.getTime() + DAY_MS)) };
  const sandboxScope: UsageScope = { ...month, environment: "sandbox", appKey: view.kind === "operator" ? view.app.appKey : undefined };
  const [daily, operations, totals, connected, sandbox, top, summaries, governor] = await Promise.all([
    readsByDayAndCause(month),
    readsByOperation(month),
    readTotals(month),
    connectedCompanies(breakdown),
    readTotals(sandboxScope),
    view.kind === "operator" ? topTenants(month, TOP_TENANTS) : Promise.resolve(null),
    apps ? summariseApps(apps, view.app.appKey, snapshot, now) : Promise.resolve(null),
    readGovernorRow(view.app.appKey),
  ]);
  return {
    app: view.app,
    label: appLabel(view.app),
    snapshot,
    scope: view.kind === "operator" ? { kind: "app" } : { kind: "tenant", tenantId: view.tenantId, tenantName: view.tenantName },
    days: fillDays(daily, snapshot.month.start, now),
    operations,
    totals,
    connected,
    backgroundPerCompany: connected === 0 ? null : Math.round(totals.background / connected),
    sandboxReads: sandbox.reads,
    topTenants: top,
    apps: summaries,
    planRoute: planRouteFor(view.app, view.viewer),
    governor: governor && governorWarning(governor),
  };
}

/** Every app's month; the one on view reuses its snapshot. */
async function summariseApps(apps: IntuitAppRef[], shownKey: string, shown: UsageSnapshot, now: Date): Promise<AppSummary[]> {
  return Promise.all(
    apps.map(async (app) => ({ app, label: appLabel(app), snapshot: app.appKey === shownKey ? shown : await readUsageSnapshot(app.appKey, now) })),
  );
}

/** One entry per UTC day from the month's start to today, with zeros where nothing was read. */
export function fillDays(rows: { day: string; cause: string; calls: number }[], monthStart: Date, now: Date): UsageDay[] {
  const byDay = new Map<string, UsageDay>();
  for (let at = monthStart.getTime(); at <= now.getTime(); at += DAY_MS) {
    const day = usageDayOf(new Date(at));
    byDay.set(day, { day, byCause: Object.fromEntries(READ_CAUSES.map((c) => [c, 0])) as Record<ReadCause, number>, total: 0 });
  }
  for (const row of rows) {
    const entry = byDay.get(row.day);
    if (!entry || !(READ_CAUSES as readonly string[]).includes(row.cause)) continue;
    entry.byCause[row.cause as ReadCause] += row.calls;
    entry.total += row.calls;
  }
  return [...byDay.values()];
}
