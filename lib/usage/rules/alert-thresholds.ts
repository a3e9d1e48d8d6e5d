// When an Intuit app's month deserves an alert: at 50, 80, 95 and 100 % of its quota, reached already ("actual") or
// on course to be by the month's end at the last 7 days' rate ("projected"). Pure: the job, the banner and the tests
// share it.

export const ALERT_THRESHOLDS = [50, 80, 95, 100] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];
export type AlertBasis = "actual" | "projected";

/**
 * How much of the month must have passed before a projection alone raises an alert: an hour of a new month
 * extrapolated over thirty days turns one busy sync run into a "100 % projected" alarm.
 */
export const PROJECTED_ALERT_MIN_DAYS = 1;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface MonthStanding {
  /** Metered reads this quota month so far. */
  used: number;
  /** The month-end total at the recent rate. */
  projectedMonthEnd: number;
  quota: number;
  monthStart: Date;
  now: Date;
}

/** The reads a threshold stands for: 80 % of 500,000 is 400,000. */
export function thresholdReads(threshold: number, quota: number): number {
  return Math.ceil((quota * threshold) / 100);
}

/** Every threshold the month has crossed, each with why: reached, else projected (once the month is a day old). */
export function crossedThresholds(standing: MonthStanding): { threshold: AlertThreshold; basis: AlertBasis }[] {
  if (standing.quota <= 0) return [];
  const projectionTrusted = standing.now.getTime() - standing.monthStart.getTime() >= PROJECTED_ALERT_MIN_DAYS * DAY_MS;
  const crossed: { threshold: AlertThreshold; basis: AlertBasis }[] = [];
  for (const threshold of ALERT_THRESHOLDS) {
    const reads = thresholdReads(threshold, standing.quota);
    if (standing.used >= reads) crossed.push({ threshold, basis: "actual" });
    else if (projectionTrusted && standing.projectedMonthEnd >= reads) crossed.push({ threshold, basis: "projected" });
  }
  return crossed;
}
