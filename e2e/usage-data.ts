// Intuit's metered reads for the usage spec, written into intuit_usage_daily by e2e/seed-usage.ts before the app
// starts and read back by e2e/usage.spec.ts through the usage page, its CSV and the alert banner. Pure data, shared by
// both: the figures the page must show are derived here from the same rows.
//
// In the browser tests every real call is a sandbox call (never metered), so the production reads are seeded:
// - the platform's Intuit app, used by both demo tenants: Acme's reads and Globex's, some on the quota month's first day
//   and some today, so the projection has a rate;
// - Globex's own Intuit app, on a small custom plan (1,000 reads a month) whose month started ten or more days ago:
//   its 620 reads, all on that first day, are 62 % of the quota and outside the projection's 7-day window, so the month
//   stands exactly at 620 (rate 0) and the alert evaluation raises the 50 % alert and nothing higher, whatever the date.

import type { ReadCause } from "../lib/intuit/operations";
import { projectMonth, quotaMonthOf, usageDayOf, type Projection, type QuotaMonth } from "../lib/usage/rules/quota-month";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SeededReads {
  tenant: "acme" | "globex";
  operation: "companyinfo" | "query" | "cdc";
  cause: ReadCause;
  calls: number;
  /** On the quota month's first day, or today (UTC). */
  when: "month_start" | "today";
}

/** The platform app's production reads this month (Builder plan: 500,000 a month, from the 1st). */
export const PLATFORM_READS: readonly SeededReads[] = [
  { tenant: "acme", operation: "query", cause: "sync", calls: 2_600, when: "month_start" },
  { tenant: "acme", operation: "companyinfo", cause: "reverify", calls: 14, when: "month_start" },
  { tenant: "acme", operation: "query", cause: "user", calls: 1_200, when: "today" },
  { tenant: "acme", operation: "cdc", cause: "webhook", calls: 300, when: "today" },
  { tenant: "acme", operation: "cdc", cause: "catch_up", calls: 96, when: "today" },
  { tenant: "globex", operation: "query", cause: "sync", calls: 1_333, when: "month_start" },
  { tenant: "globex", operation: "companyinfo", cause: "reverify", calls: 24, when: "today" },
];

/** Globex's own Intuit app: a custom plan, and its month's reads. */
export const GLOBEX_APP = {
  quota: 1_000,
  backgroundSharePct: 20,
  reads: [
    { operation: "query", cause: "sync", calls: 600 },
    { operation: "companyinfo", cause: "reverify", calls: 20 },
  ] as const satisfies readonly { operation: SeededReads["operation"]; cause: ReadCause; calls: number }[],
};

export const TENANT_NAMES = { acme: "Acme Field Services", globex: "Globex Logistics" } as const;

const sum = (rows: readonly { calls: number }[]) => rows.reduce((n, r) => n + r.calls, 0);
const BACKGROUND: readonly ReadCause[] = ["reverify", "catch_up", "checks"];

/** What the seeded reads add up to on the platform's app: per tenant, and for the app. */
export function platformTotals() {
  const of = (tenant: SeededReads["tenant"]) => {
    const rows = PLATFORM_READS.filter((r) => r.tenant === tenant);
    return { reads: sum(rows), background: sum(rows.filter((r) => BACKGROUND.includes(r.cause))) };
  };
  return { acme: of("acme"), globex: of("globex"), app: sum(PLATFORM_READS) };
}

export const globexAppReads = () => sum(GLOBEX_APP.reads);

/**
 * The day Globex's app's quota month starts on: ten days before today's date, or, early in a month, the previous
 * month's day ten days after today's date (so the month started about twenty days ago). Either way the month holds
 * today and its first day is at least 9 days old, even if the UTC day turns between the seed and the spec.
 */
export function globexMonthStartDay(now: Date): number {
  const date = now.getUTCDate();
  return date > 10 ? date - 10 : date + 10;
}

/** The UTC day each seeded row of the platform's app falls on, for a seed run at `now`. */
export function platformDays(now: Date): { month_start: string; today: string } {
  return { month_start: usageDayOf(quotaMonthOf(now, 1).start), today: usageDayOf(now) };
}

/**
 * The month of an app as lib/usage/read-usage-snapshot.ts computes it at `now`, from its reads per day: the reads so
 * far and the projection from the last 7 days (today and the 6 days before it, or the month so far).
 */
export function projectionAt(now: Date, readsByDay: ReadonlyMap<string, number>, quota: number, monthStartDay = 1): { month: QuotaMonth; used: number; projection: Projection } {
  const month = quotaMonthOf(now, monthStartDay);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const recentFrom = new Date(Math.max(month.start.getTime(), today - 6 * DAY_MS));
  const inRange = (from: Date) => [...readsByDay].filter(([day]) => day >= usageDayOf(from) && day <= usageDayOf(now)).reduce((n, [, calls]) => n + calls, 0);
  const used = inRange(month.start);
  const recentReads = inRange(recentFrom);
  const recentDays = (now.getTime() - recentFrom.getTime()) / DAY_MS;
  return { month, used, projection: projectMonth({ month, now, used, recentReads, recentDays, quota }) };
}
