import type { Metadata } from "next";
import Link from "next/link";
import { HealthCharts } from "@/components/quickbooks/HealthCharts";
import { SyncIndicator } from "@/components/quickbooks/SyncIndicator";
import { CopyButton } from "@/components/ui/CopyButton";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead, type TableColumn } from "@/components/ui/Table";
import { requirePageActor } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { HEALTH_RANGES, RANGE_SHAPE, isHealthRange, type HealthRange } from "@/lib/metrics/health-series";
import { listTenantsByHealth, readTenantHealth, type TenantHealthSummary } from "@/lib/metrics/read-health";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";

export const metadata: Metadata = { title: "Integration health" };

const PATH = "/integrations/quickbooks/health";
const RANGE_NAMES: Record<HealthRange, string> = { "24h": "24 hours", "7d": "7 days", "30d": "30 days" };
const OUTCOME_LABEL: Record<string, string> = {
  authentication: "Authentication",
  authorization: "Authorization",
  validation: "Validation",
  throttled: "Throttled",
  quota_exhausted: "Monthly read quota used up",
  not_found: "Not found",
  server: "Intuit server error",
  unexpected: "Unexpected answer",
  timeout: "Timeout",
  network: "Network",
};

const count = new Intl.NumberFormat("en-US");
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });

function duration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * The integration-health dashboard of the active tenant: totals and charts over 24 hours, 7 days or 30 days (from the
 * stored hourly metrics), the sync indicator as the console computes it, the top error reasons with the intuit_tid
 * Intuit support asks for, and, for admins, every tenant they administer, worst first.
 */
export default async function HealthPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor("health.read");
  const requested = (await searchParams).range;
  const range: HealthRange = isHealthRange(requested) ? requested : "24h";
  const rangeLabel = RANGE_SHAPE[range].label;
  const overview = can(actor.role, "tenants.overview");

  const [report, status, tenants] = await Promise.all([
    readTenantHealth(actor.tenantId, range),
    getConnectionStatus(actor.tenantId),
    overview ? listTenantsByHealth({ userId: actor.userId, range }) : Promise.resolve(null),
  ]);
  const { totals } = report;

  const figures: { label: string; value: string; hint?: string }[] = [
    { label: "API calls", value: count.format(totals.apiCalls) },
    { label: "Errors", value: count.format(totals.apiErrors) },
    { label: "Error rate", value: totals.apiCalls === 0 ? "—" : percent.format(totals.errorRate) },
    { label: "Throttle hits", value: count.format(totals.throttleHits), hint: `Intuit ${count.format(totals.throttleIntuit)} · our limiter ${count.format(totals.throttleLocal)}` },
    { label: "Token renewals", value: count.format(totals.tokenRenewals), hint: `${count.format(totals.renewalsFailure)} failed` },
    { label: "Webhook events", value: count.format(totals.webhookEvents) },
    { label: "Webhook delay p95", value: duration(totals.webhookDelay.p95), hint: `p50 ${duration(totals.webhookDelay.p50)} · p99 ${duration(totals.webhookDelay.p99)}` },
    { label: "API latency p95", value: duration(totals.apiLatency.p95), hint: `p50 ${duration(totals.apiLatency.p50)}` },
    { label: "Processing errors", value: count.format(totals.processingErrors) },
  ];

  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Integration health</h1>
          <p className="mt-1 text-sm text-slate-600">
            {actor.tenantName}&apos;s QuickBooks traffic over {rangeLabel} (whole hours in UTC; percentiles are estimated from log-scale histograms).
          </p>
        </div>
        <nav aria-label="Range">
          <ul className="flex overflow-hidden rounded-md border border-slate-300 text-sm">
            {HEALTH_RANGES.map((r) => (
              <li key={r} className="border-l border-slate-300 first:border-l-0">
                <Link
                  href={`${PATH}?range=${r}`}
                  aria-current={r === range ? "page" : undefined}
                  className={`block px-3 py-1.5 ${r === range ? "bg-slate-900 text-white" : "bg-white text-slate-700 hover:bg-slate-100"}`}
                >
                  {RANGE_NAMES[r]}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </div>

      <section aria-labelledby="indicator-title" className="space-y-2">
        <h2 id="indicator-title" className="text-lg font-semibold">
          Sync indicator
        </h2>
        <SyncIndicator indicator={status.indicator} reasons={status.reasons} />
        <p className="text-sm">
          <Link href="/integrations/quickbooks/readiness" className="text-blue-700 underline">
            See the readiness checks
          </Link>
        </p>
      </section>

      <section aria-labelledby="totals-title" className="space-y-3">
        <h2 id="totals-title" className="text-lg font-semibold">
          Totals for {rangeLabel}
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
          {figures.map((f) => (
            <div key={f.label} className="rounded-lg border border-slate-200 bg-white p-3">
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{f.label}</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums">
                {f.value}
              </dd>
              {f.hint && <dd className="text-xs text-slate-500">{f.hint}</dd>}
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="charts-title" className="space-y-3">
        <h2 id="charts-title" className="text-lg font-semibold">
          Over time
        </h2>
        <HealthCharts buckets={report.buckets} range={range} rangeLabel={rangeLabel} />
      </section>

      <section aria-labelledby="errors-title" className="space-y-3">
        <h2 id="errors-title" className="text-lg font-semibold">
          Top error reasons
        </h2>
        {report.topErrors.length === 0 ? (
          <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">No API errors in {rangeLabel}.</p>
        ) : (
          <>
            <p className="text-sm text-slate-600">Give Intuit support the intuit_tid of a failed call: it identifies the request on their side.</p>
            <Table caption={`The most frequent API errors in ${rangeLabel}, with the latest intuit_tid of each`}>
              <TableHead columns={["Reason", { label: "Count", numeric: true }, "Last seen", "Last intuit_tid"]} />
              <TableBody>
                {report.topErrors.map((e) => (
                  <tr key={`${e.outcome}|${e.errorCode}|${e.message}`} data-testid="error-reason">
                    <td className="min-w-56 px-3 py-2 align-top">
                      <div className="font-medium">
                        {OUTCOME_LABEL[e.outcome] ?? e.outcome}
                        {e.errorCode && <span className="font-normal text-slate-600"> · code {e.errorCode}</span>}
                        {e.httpStatus !== null && <span className="font-normal text-slate-600"> · HTTP {e.httpStatus}</span>}
                      </div>
                      {e.message && <div className="text-slate-700">{e.message}</div>}
                    </td>
                    <td className="px-3 py-2 text-right align-top tabular-nums">{count.format(e.count)}</td>
                    <td className="whitespace-nowrap px-3 py-2 align-top">
                      <LocalTime iso={e.lastAt} />
                    </td>
                    <td className="px-3 py-2 align-top">
                      {e.lastIntuitTid ? (
                        <span className="flex items-center gap-2">
                          <code className="break-all text-xs">{e.lastIntuitTid}</code>
                          <CopyButton value={e.lastIntuitTid} label={`Copy intuit_tid ${e.lastIntuitTid}`} />
                        </span>
                      ) : (
                        <span className="text-slate-500">None received</span>
                      )}
                    </td>
                  </tr>
                ))}
              </TableBody>
            </Table>
          </>
        )}
      </section>

      <section aria-labelledby="operations-title" className="space-y-3">
        <h2 id="operations-title" className="text-lg font-semibold">
          Calls by operation
        </h2>
        {report.operations.length === 0 ? (
          <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">No API calls in {rangeLabel}.</p>
        ) : (
          <Table caption={`API calls and errors by operation in ${rangeLabel}`}>
            <TableHead columns={["Operation", { label: "Calls", numeric: true }, { label: "Errors", numeric: true }]} />
            <TableBody>
              {report.operations.map((o) => (
                <tr key={o.operation} data-testid="operation-row">
                  <th scope="row" className="px-3 py-2 font-mono font-normal">
                    {o.operation}
                  </th>
                  <td className="px-3 py-2 text-right tabular-nums">{count.format(o.calls)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{count.format(o.errors)}</td>
                </tr>
              ))}
            </TableBody>
          </Table>
        )}
      </section>

      {tenants && <TenantsTable tenants={tenants} rangeLabel={rangeLabel} />}
    </div>
  );
}

const TENANT_COLUMNS: (TableColumn | string)[] = [
  "Tenant",
  "Indicator",
  { label: "API calls", numeric: true },
  { label: "Errors", numeric: true },
  { label: "Error rate", numeric: true },
  { label: "Throttle hits", numeric: true },
  { label: "Failed renewals", numeric: true },
];

function TenantsTable({ tenants, rangeLabel }: { tenants: TenantHealthSummary[]; rangeLabel: string }) {
  return (
    <section aria-labelledby="tenants-title" className="space-y-3">
      <h2 id="tenants-title" className="text-lg font-semibold">
        All your tenants
      </h2>
      <p className="text-sm text-slate-600">
        Every tenant where you are an admin, worst first: red indicator, then error rate, then throttle hits, over {rangeLabel}. Switch tenant in the
        header to see one in detail.
      </p>
      <Table caption="Tenants where you are an admin, worst health first">
        <TableHead nowrap columns={TENANT_COLUMNS} />
        <TableBody>
          {tenants.map((t) => (
            <tr key={t.tenantId} data-testid="tenant-health-row">
              <th scope="row" className="px-3 py-2 text-left align-top font-medium">
                {t.tenantName}
                <span className="block text-xs font-normal text-slate-500">{t.environment}</span>
              </th>
              <td className="px-3 py-2 align-top">
                <span
                  data-testid="tenant-indicator"
                  data-state={t.indicator}
                  title={t.reasons.join(" ")}
                  className={`rounded-full px-2 py-0.5 text-xs font-medium ${t.indicator === "green" ? "bg-green-100 text-green-800" : "bg-red-100 text-red-800"}`}
                >
                  {t.indicator === "green" ? "Green" : "Red"}
                </span>
              </td>
              <td className="px-3 py-2 text-right align-top tabular-nums">{count.format(t.apiCalls)}</td>
              <td className="px-3 py-2 text-right align-top tabular-nums">{count.format(t.apiErrors)}</td>
              <td className="px-3 py-2 text-right align-top tabular-nums">{t.apiCalls === 0 ? "—" : percent.format(t.errorRate)}</td>
              <td className="px-3 py-2 text-right align-top tabular-nums">{count.format(t.throttleHits)}</td>
              <td className="px-3 py-2 text-right align-top tabular-nums">{count.format(t.renewalFailures)}</td>
            </tr>
          ))}
        </TableBody>
      </Table>
    </section>
  );
}
