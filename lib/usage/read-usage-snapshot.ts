import "server-only";
import { BACKGROUND_CAUSES, type ReadCause } from "@/lib/intuit/operations";
import { projectMonth, quotaMonthOf, type Projection, type QuotaMonth } from "./rules/quota-month";
import { meteredReadsBetween } from "./store/metered-reads";
import { readPlan, type IntuitAppPlan } from "./store/plans";

const DAY_MS = 24 * 60 * 60 * 1000;
/** The rate a projection extrapolates: the last 7 days' reads. */
export const PROJECTION_WINDOW_DAYS = 7;

export interface UsageSnapshot {
  plan: IntuitAppPlan;
  month: QuotaMonth;
  /** Production CorePlus reads this quota month, every cause. */
  used: number;
  projection: Projection;
  /** The product's own background reads (re-verify, catch-up, checks) this month, and their projection. */
  background: { used: number; budget: number; projection: Projection };
  /** Intuit blocks reads until this instant (its monthly quota was used up), or null. */
  readsBlockedUntil: Date | null;
}

/**
 * One app's quota month as it stands: what the usage page, the alerts and the governor read. Every figure is exact
 * (summed from intuit_usage_daily), the projections extrapolate the last 7 days: today so far and the 6 whole UTC
 * days before it (or the month so far, when it is younger).
 */
export async function readUsageSnapshot(appKey: string, now = new Date()): Promise<UsageSnapshot> {
  const plan = await readPlan(appKey);
  const month = quotaMonthOf(now, plan.monthStartDay);
  const tomorrow = new Date(now.getTime() + DAY_MS);
  // The table counts whole UTC days: the window starts at a midnight (today's and the 6 days before it, or the month's
  // start), and its reads are divided by the time it really spans, today's part included.
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const recentFrom = new Date(Math.max(month.start.getTime(), today - (PROJECTION_WINDOW_DAYS - 1) * DAY_MS));
  const recentDays = (now.getTime() - recentFrom.getTime()) / DAY_MS;
  const background: readonly ReadCause[] = [...BACKGROUND_CAUSES];
  const [used, recent, backgroundUsed, backgroundRecent] = await Promise.all([
    meteredReadsBetween({ appKey, from: month.start, to: tomorrow }),
    meteredReadsBetween({ appKey, from: recentFrom, to: tomorrow }),
    meteredReadsBetween({ appKey, from: month.start, to: tomorrow, causes: background }),
    meteredReadsBetween({ appKey, from: recentFrom, to: tomorrow, causes: background }),
  ]);
  const budget = Math.floor((plan.monthlyQuota * plan.backgroundSharePct) / 100);
  const blocked = plan.readsBlockedUntil && plan.readsBlockedUntil > now ? plan.readsBlockedUntil : null;
  return {
    plan,
    month,
    used,
    projection: projectMonth({ month, now, used, recentReads: recent, recentDays, quota: plan.monthlyQuota }),
    background: { used: backgroundUsed, budget, projection: projectMonth({ month, now, used: backgroundUsed, recentReads: backgroundRecent, recentDays, quota: budget }) },
    readsBlockedUntil: blocked,
  };
}
