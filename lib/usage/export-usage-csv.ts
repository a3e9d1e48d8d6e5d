import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { UsageView } from "./resolve-usage-view";
import { quotaMonthOf, usageDayOf } from "./rules/quota-month";
import { usageCsv } from "./rules/usage-csv";
import { readPlan } from "./store/plans";
import { dailyUsageRows } from "./store/usage-breakdown";

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest range one export covers: a year and its fieldwork, as the logs keep. */
export const USAGE_CSV_MAX_DAYS = 400;

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a day is YYYY-MM-DD")
  // "2026-02-30" parses to another day and "9999-99-99" to no day at all (whose ISO form throws): both are refused.
  .refine((value) => {
    const at = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(at.getTime()) && usageDayOf(at) === value;
  }, "not a calendar day");

/** `?from=&to=`: whole UTC days, both included; by default the app's current quota month so far. */
export const usageCsvRangeSchema = z
  .object({ from: isoDay.optional(), to: isoDay.optional() })
  .refine((r) => !r.from || !r.to || r.from <= r.to, { message: "from must not be after to", path: ["from"] })
  .refine((r) => !r.from || !r.to || (Date.parse(r.to) - Date.parse(r.from)) / DAY_MS < USAGE_CSV_MAX_DAYS, {
    message: `at most ${USAGE_CSV_MAX_DAYS} days at once`,
    path: ["to"],
  });
export type UsageCsvRange = z.infer<typeof usageCsvRangeSchema>;

/**
 * The daily figures behind the usage page, as CSV: for the operator, the whole app (summed over its tenants); for a
 * tenant's admin, the tenant's own calls only, on whichever app and environment. Reads and writes, metered or not:
 * the `metered` column says which count against the quota.
 */
export async function exportUsageCsv(view: UsageView, range: UsageCsvRange, now = new Date()): Promise<{ filename: string; body: string }> {
  const lastDay = range.to ?? usageDayOf(now);
  // By default from the start of the quota month the last day falls in.
  const fromDay = range.from ?? usageDayOf(quotaMonthOf(new Date(`${lastDay}T00:00:00Z`), (await readPlan(view.app.appKey)).monthStartDay).start);
  const toDay = usageDayOf(new Date(Date.parse(`${lastDay}T00:00:00Z`) + DAY_MS));
  if ((Date.parse(toDay) - Date.parse(fromDay)) / DAY_MS > USAGE_CSV_MAX_DAYS) {
    throw new AppError("invalid_request", 400, `The request is not valid: an export covers at most ${USAGE_CSV_MAX_DAYS} days; give both from and to.`);
  }
  const scope = view.kind === "operator" ? { appKey: view.app.appKey } : { tenantId: view.tenantId };
  const rows = fromDay < toDay ? await dailyUsageRows({ ...scope, fromDay, toDay }) : [];
  const who = view.kind === "operator" ? (view.app.tenantId === null ? "platform-app" : "tenant-app") : "tenant";
  return { filename: `intuit-usage-${who}-${fromDay}-to-${lastDay}.csv`, body: usageCsv(rows) };
}
