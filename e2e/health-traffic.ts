// A scripted day of QuickBooks traffic for Acme, recorded by e2e/seed-health-traffic.ts through lib/metrics/record.ts
// before the app starts, and read back by e2e/health.spec.ts through the dashboard. Pure data: the counts do not
// depend on the time it is recorded at, so the spec derives what the page must show from the same script.
//
// Every event is 20 hours old at most, so that it stays inside the dashboard's 24-hour window (the current UTC hour and
// the 23 before it) for the first hour after start-up; and no error is less than two hours old, so that the last
// hour holds only successes.

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const HOURS = 21;

export const HEALTH_TRAFFIC_OPERATIONS = ["query", "invoice", "cdc"] as const;

export interface ScriptedCall {
  at: Date;
  operation: (typeof HEALTH_TRAFFIC_OPERATIONS)[number];
  outcome: "success" | "validation" | "server" | "throttled";
  httpStatus: number;
  latencyMs: number;
  intuitTid: string;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface ScriptedDay {
  calls: ScriptedCall[];
  throttles: { at: Date; source: "intuit" | "local"; waitedMs: number }[];
  renewals: { at: Date; outcome: "success" | "failure"; latencyMs: number }[];
  webhookBatches: { at: Date; delaysMs: number[] }[];
  processingErrors: { at: Date; kind: string }[];
}

export const VALIDATION_HOURS = [2, 5, 9, 14];
export const SERVER_HOURS = [7, 16];
export const THROTTLE_HOUR = 11;
/** The most recent validation error's intuit_tid: the top error reason's "last intuit_tid". */
export const TOP_ERROR_TID = `e2e-tid-validation-${Math.min(...VALIDATION_HOURS)}`;
export const TOP_ERROR_MESSAGE = "Required param missing, need to supply the required value for the API";

export function scriptedDay(now: Date): ScriptedDay {
  const day: ScriptedDay = { calls: [], throttles: [], renewals: [], webhookBatches: [], processingErrors: [] };
  const at = (hoursAgo: number, seconds: number) => new Date(now.getTime() - hoursAgo * HOUR - 2 * MINUTE - seconds * 1000);
  for (let h = 0; h < HOURS; h++) {
    let s = 0;
    const success = (operation: ScriptedCall["operation"], latencyMs: number) =>
      day.calls.push({ at: at(h, s++), operation, outcome: "success", httpStatus: 200, latencyMs, intuitTid: `e2e-tid-ok-${h}-${s}`, errorCode: null, errorMessage: null });
    // Office hours are busier: 10 to 22 queries an hour, two invoices, one change catch-up.
    for (let i = 0; i < 10 + (h % 5) * 3; i++) success("query", 80 + ((h * 7 + i * 13) % 250));
    success("invoice", 320 + h * 5);
    success("invoice", 410);
    success("cdc", 900 + h * 20);
    if (VALIDATION_HOURS.includes(h)) {
      day.calls.push({ at: at(h, s++), operation: "invoice", outcome: "validation", httpStatus: 400, latencyMs: 95, intuitTid: `e2e-tid-validation-${h}`, errorCode: "2020", errorMessage: TOP_ERROR_MESSAGE });
    }
    if (SERVER_HOURS.includes(h)) {
      day.calls.push({ at: at(h, s++), operation: "query", outcome: "server", httpStatus: 503, latencyMs: 4_200, intuitTid: `e2e-tid-server-${h}`, errorCode: "10000", errorMessage: "An application error has occurred" });
    }
    if (h === THROTTLE_HOUR) {
      for (let i = 0; i < 3; i++) {
        day.calls.push({ at: at(h, s++), operation: "query", outcome: "throttled", httpStatus: 429, latencyMs: 60, intuitTid: `e2e-tid-throttled-${i}`, errorCode: "3001", errorMessage: "Throttle exceeded" });
        day.throttles.push({ at: at(h, s), source: "intuit", waitedMs: 1_000 * 2 ** i });
      }
    }
    if (h === THROTTLE_HOUR || h === THROTTLE_HOUR + 1) {
      for (let i = 0; i < 2 + (h - THROTTLE_HOUR); i++) day.throttles.push({ at: at(h, s++), source: "local", waitedMs: 250 + i * 100 });
    }
    // The access token lives an hour: one renewal an hour while in use; Intuit was down for one of them.
    day.renewals.push({ at: at(h, 30), outcome: h === 13 ? "failure" : "success", latencyMs: h === 13 ? 20_000 : 350 + h * 10 });
    // Three webhook events an hour, a few seconds late, one now and then minutes late.
    day.webhookBatches.push({ at: at(h, 40), delaysMs: [900 + h * 40, 2_500, h % 6 === 0 ? 180_000 : 6_000] });
    if (h === 8) day.processingErrors.push({ at: at(h, 50), kind: "webhook_retry" });
  }
  return day;
}

/** What the dashboard's totals must show for the scripted day alone. */
export function scriptedTotals(day: ScriptedDay) {
  const errors = day.calls.filter((c) => c.outcome !== "success");
  const byOperation = Object.fromEntries(
    HEALTH_TRAFFIC_OPERATIONS.map((operation) => {
      const calls = day.calls.filter((c) => c.operation === operation);
      return [operation, { calls: calls.length, errors: calls.filter((c) => c.outcome !== "success").length }];
    }),
  ) as Record<(typeof HEALTH_TRAFFIC_OPERATIONS)[number], { calls: number; errors: number }>;
  return {
    apiCalls: day.calls.length,
    errors: errors.length,
    throttleHits: day.throttles.length,
    tokenRenewals: day.renewals.length,
    webhookEvents: day.webhookBatches.reduce((n, b) => n + b.delaysMs.length, 0),
    processingErrors: day.processingErrors.length,
    topErrorCount: day.calls.filter((c) => c.outcome === "validation").length,
    byOperation,
  };
}
