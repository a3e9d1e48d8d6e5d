"use client";

import type { ReadCause } from "@/lib/intuit/operations";
import { CAUSE_LABELS, CAUSE_ORDER, isBackgroundCause } from "@/lib/usage/rules/cause-labels";
import { ChartFigure, stackedBars } from "./HealthCharts";

/**
 * The usage page's daily metered reads, one stacked bar per UTC day, one colour per cause (people's causes in cool
 * colours, the product's own background work in warm ones), as a figure with a caption and a one-paragraph summary for
 * screen readers: the total, each cause's share and the busiest day.
 */

// Each colour stands out from its neighbours and has at least 4.5:1 contrast on white: the legend writes each cause's
// name in its colour, at 12 px.
const COLORS: Record<ReadCause, string> = {
  user: "#1d4ed8", // blue-700
  sync: "#0e7490", // cyan-700
  webhook: "#6d28d9", // violet-700
  reverify: "#92400e", // amber-800
  catch_up: "#c2410c", // orange-700
  checks: "#a16207", // yellow-700
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const numberFormat = new Intl.NumberFormat("en-US");

export interface UsageChartDay {
  day: string;
  byCause: Record<ReadCause, number>;
  total: number;
}

function dayLabel(day: string): string {
  const [, month, date] = day.split("-");
  return `${MONTHS[Number(month) - 1]} ${Number(date)}`;
}

/** `emptyNote`: why a month may have no metered reads (e.g. only sandbox reads), said after "No metered reads …". */
export function UsageCharts({ days, scopeLabel, emptyNote = "" }: { days: UsageChartDay[]; scopeLabel: string; emptyNote?: string }) {
  const data = days.map((d) => ({ label: dayLabel(d.day), ...d.byCause }));
  const total = days.reduce((n, d) => n + d.total, 0);
  const byCause = CAUSE_ORDER.map((cause) => ({ cause, calls: days.reduce((n, d) => n + d.byCause[cause], 0) }));
  const busiest = days.reduce<UsageChartDay | null>((best, d) => (d.total > (best?.total ?? 0) ? d : best), null);
  const first = days[0];
  const last = days.at(-1);
  const period = first && last ? `from ${dayLabel(first.day)} to ${dayLabel(last.day)} (UTC)` : "this month";
  const summary =
    `${numberFormat.format(total)} metered reads by ${scopeLabel} ${period}: ` +
    byCause.map((c) => `${CAUSE_LABELS[c.cause]}${isBackgroundCause(c.cause) ? " (background)" : ""} ${numberFormat.format(c.calls)}`).join(", ") +
    "." +
    (busiest ? ` The busiest day was ${dayLabel(busiest.day)} with ${numberFormat.format(busiest.total)}.` : "");

  return (
    <ChartFigure id="chart-usage-daily" title="Metered reads a day, by cause" summary={summary} empty={total === 0 ? `No metered reads ${period}.${emptyNote ? ` ${emptyNote}` : ""}` : null}>
      {stackedBars(
        data,
        "reads",
        CAUSE_ORDER.map((cause) => ({ dataKey: cause, name: `${CAUSE_LABELS[cause]}${isBackgroundCause(cause) ? " (background)" : ""}`, fill: COLORS[cause] })),
      )}
    </ChartFigure>
  );
}
