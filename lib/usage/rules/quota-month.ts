// The month Intuit's quota is counted in, and where the month is heading: pure, so every edge is a unit test.

const DAY_MS = 24 * 60 * 60 * 1000;

export interface QuotaMonth {
  /** The first instant of the quota month (UTC midnight of its start day). */
  start: Date;
  /** The first instant of the next one. */
  end: Date;
}

/** The quota month `now` falls in, for a month that starts on `startDay` (1 to 28) at UTC midnight. */
export function quotaMonthOf(now: Date, startDay = 1): QuotaMonth {
  const day = Math.min(Math.max(Math.trunc(startDay), 1), 28);
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth();
  if (now.getUTCDate() < day) month -= 1;
  if (month < 0) {
    month += 12;
    year -= 1;
  }
  return { start: new Date(Date.UTC(year, month, day)), end: new Date(Date.UTC(year, month + 1, day)) };
}

/** The UTC day (YYYY-MM-DD) an instant falls in: the usage table's key. */
export function usageDayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export interface Projection {
  /** Reads the month will have at its end at the recent rate. */
  monthEnd: number;
  /** Reads a day at the recent rate (the last 7 days, or the month so far when it is younger). */
  dailyRate: number;
  /** When the quota runs out at that rate; null when it does not within the month. */
  quotaRunsOutAt: Date | null;
}

/**
 * The month-end total at the recent rate: what is used so far, plus the rest of the month at the average of the last
 * `recentDays` whole or partial days' reads (`recentReads`), and the instant the quota would run out.
 */
export function projectMonth(input: { month: QuotaMonth; now: Date; used: number; recentReads: number; recentDays: number; quota: number }): Projection {
  const elapsedDays = Math.max((input.now.getTime() - input.month.start.getTime()) / DAY_MS, 1 / 24);
  const windowDays = Math.max(Math.min(input.recentDays, elapsedDays), 1 / 24);
  const dailyRate = input.recentReads / windowDays;
  const remainingDays = Math.max((input.month.end.getTime() - input.now.getTime()) / DAY_MS, 0);
  const monthEnd = Math.round(input.used + dailyRate * remainingDays);
  let quotaRunsOutAt: Date | null = null;
  if (input.used >= input.quota) quotaRunsOutAt = input.now;
  else if (dailyRate > 0) {
    const at = new Date(input.now.getTime() + ((input.quota - input.used) / dailyRate) * DAY_MS);
    if (at < input.month.end) quotaRunsOutAt = at;
  }
  return { monthEnd, dailyRate, quotaRunsOutAt };
}
