"use client";

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HealthBucket, HealthRange } from "@/lib/metrics/health-series";

/**
 * The health dashboard's four charts (Recharts, drawn in the browser): API calls and errors, throttle hits, webhook
 * delay percentiles and token renewals, one point per bucket of the range. Each is a figure with a caption and a
 * one-sentence summary for screen readers; a chart with nothing to show says so instead of drawing empty axes.
 * Times are UTC, so the server and the browser label them alike.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

export function bucketLabel(iso: string, range: HealthRange): string {
  const d = new Date(iso);
  const hour = `${pad(d.getUTCHours())}:00`;
  const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  return range === "24h" ? hour : range === "7d" ? `${day} ${hour}` : day;
}

const COLORS = {
  success: "#2563eb",
  error: "#dc2626",
  intuit: "#d97706",
  local: "#7c3aed",
  p50: "#16a34a",
  p95: "#d97706",
  p99: "#dc2626",
};

function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 100) / 10;
}

const numberFormat = new Intl.NumberFormat("en-US");

export function HealthCharts({ buckets, range, rangeLabel }: { buckets: HealthBucket[]; range: HealthRange; rangeLabel: string }) {
  const data = buckets.map((b) => ({
    label: bucketLabel(b.start, range),
    successes: b.apiCalls - b.apiErrors,
    errors: b.apiErrors,
    intuit: b.throttleIntuit,
    local: b.throttleLocal,
    p50: seconds(b.webhookDelayP50Ms),
    p95: seconds(b.webhookDelayP95Ms),
    p99: seconds(b.webhookDelayP99Ms),
    renewed: b.renewalsSuccess,
    failed: b.renewalsFailure,
  }));
  const total = (pick: (b: HealthBucket) => number) => buckets.reduce((s, b) => s + pick(b), 0);
  const calls = total((b) => b.apiCalls);
  const errors = total((b) => b.apiErrors);
  const intuit = total((b) => b.throttleIntuit);
  const local = total((b) => b.throttleLocal);
  const events = total((b) => b.webhookEvents);
  const renewed = total((b) => b.renewalsSuccess);
  const failed = total((b) => b.renewalsFailure);
  const busiest = (pick: (b: HealthBucket) => number) => {
    const top = buckets.reduce<HealthBucket | null>((best, b) => (pick(b) > (best ? pick(best) : 0) ? b : best), null);
    return top ? ` The busiest period was ${bucketLabel(top.start, range)} UTC with ${numberFormat.format(pick(top))}.` : "";
  };
  const worstP95 = buckets.reduce<number | null>((worst, b) => (b.webhookDelayP95Ms !== null && (worst === null || b.webhookDelayP95Ms > worst) ? b.webhookDelayP95Ms : worst), null);

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartFigure
        id="chart-api-calls"
        title="API calls and errors"
        summary={`${numberFormat.format(calls)} API calls in ${rangeLabel}, ${numberFormat.format(errors)} of them errors.${busiest((b) => b.apiCalls)}`}
        empty={calls === 0 ? `No API calls in ${rangeLabel}.` : null}
      >
        {stackedBars(data, "calls", [
          { dataKey: "successes", name: "Successful", fill: COLORS.success },
          { dataKey: "errors", name: "Errors", fill: COLORS.error },
        ])}
      </ChartFigure>

      <ChartFigure
        id="chart-throttle"
        title="Throttle hits"
        summary={`${numberFormat.format(intuit + local)} throttle hits in ${rangeLabel}: ${numberFormat.format(intuit)} answered 429 by Intuit, ${numberFormat.format(local)} waits for our own limiter.${busiest((b) => b.throttleIntuit + b.throttleLocal)}`}
        empty={intuit + local === 0 ? `No throttle hits in ${rangeLabel}.` : null}
      >
        {stackedBars(data, "throttle", [
          { dataKey: "intuit", name: "Intuit (429)", fill: COLORS.intuit },
          { dataKey: "local", name: "Our limiter", fill: COLORS.local },
        ])}
      </ChartFigure>

      <ChartFigure
        id="chart-webhook-delay"
        title="Webhook delay (seconds)"
        summary={`${numberFormat.format(events)} webhook events in ${rangeLabel}; the delay between an event and its receipt, median, 95th and 99th percentile per period.${worstP95 === null ? "" : ` The worst 95th percentile was ${seconds(worstP95)} seconds.`}`}
        empty={events === 0 ? `No webhook events in ${rangeLabel}.` : null}
      >
        <LineChart data={data} margin={CHART_MARGIN}>
          {chartFrame({ wholeNumbers: false })}
          <Line type="monotone" dataKey="p50" name="p50" stroke={COLORS.p50} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="p95" name="p95" stroke={COLORS.p95} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="p99" name="p99" stroke={COLORS.p99} dot={false} strokeDasharray="4 2" isAnimationActive={false} />
        </LineChart>
      </ChartFigure>

      <ChartFigure
        id="chart-renewals"
        title="Token renewals"
        summary={`${numberFormat.format(renewed + failed)} token renewals in ${rangeLabel}: ${numberFormat.format(renewed)} succeeded, ${numberFormat.format(failed)} failed.`}
        empty={renewed + failed === 0 ? `No token renewals in ${rangeLabel}.` : null}
      >
        {stackedBars(data, "renewals", [
          { dataKey: "renewed", name: "Renewed", fill: COLORS.success },
          { dataKey: "failed", name: "Failed", fill: COLORS.error },
        ])}
      </ChartFigure>
    </div>
  );
}

const CHART_MARGIN = { top: 8, right: 8, bottom: 0, left: -16 };

// Functions, not components: Recharts looks for its grid, axes and series among the chart's direct children.

/** The grid, axes, tooltip and legend every chart shares. */
function chartFrame({ wholeNumbers }: { wholeNumbers: boolean }) {
  return [
    <CartesianGrid key="grid" strokeDasharray="3 3" vertical={false} />,
    <XAxis key="x" dataKey="label" tick={{ fontSize: 11 }} minTickGap={12} />,
    <YAxis key="y" allowDecimals={!wholeNumbers} tick={{ fontSize: 11 }} />,
    <Tooltip key="tooltip" />,
    <Legend key="legend" wrapperStyle={{ fontSize: 12 }} />,
  ];
}

/** Counts per period, stacked: one bar per series. Also the usage page's daily reads by cause. */
export function stackedBars(data: object[], stackId: string, series: { dataKey: string; name: string; fill: string }[]) {
  return (
    <BarChart data={data} margin={CHART_MARGIN}>
      {chartFrame({ wholeNumbers: true })}
      {series.map((bar) => (
        <Bar key={bar.dataKey} {...bar} stackId={stackId} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}

/** A chart as a figure: its caption, a summary for screen readers, and the chart, or what it would show when empty. */
export function ChartFigure({ id, title, summary, empty, children }: { id: string; title: string; summary: string; empty: string | null; children: ReactNode }) {
  return (
    <figure aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`} data-testid={id} className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption id={`${id}-title`} className="text-sm font-semibold">
        {title}
      </figcaption>
      <p id={`${id}-summary`} className="sr-only">
        {summary}
      </p>
      {empty ? (
        <p className="mt-3 flex h-56 items-center justify-center rounded border border-dashed border-slate-200 text-sm text-slate-600">{empty}</p>
      ) : (
        <div className="mt-3 h-56">
          <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 480, height: 224 }}>
            {children}
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
