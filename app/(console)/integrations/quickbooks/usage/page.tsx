import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { UsageCharts } from "@/components/quickbooks/UsageCharts";
import { UsageMonth, type PlanSetter } from "@/components/quickbooks/UsageMonth";
import { UsagePlanForm } from "@/components/quickbooks/UsagePlanForm";
import { AppsTable, OperationsTable, TopTenantsTable } from "@/components/quickbooks/UsageTables";
import { requirePageActor } from "@/lib/auth/guard";
import { TENANT_QUERY } from "@/lib/http/tenant-binding";
import { readUsageReport, type UsageReport } from "@/lib/usage/read-usage-report";
import { resolveUsageView } from "@/lib/usage/resolve-usage-view";

export const metadata: Metadata = { title: "Intuit usage" };

const count = new Intl.NumberFormat("en-US");
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Intuit's metered (CorePlus) reads of one Intuit app this quota month, against its plan's quota: the bar, the
 * projection, the reads by day and cause and by operation, and what the product's own background work costs per
 * connected company. A tenant's admin sees the app the tenant uses (app-wide totals) and below them the tenant's own
 * reads only; the platform operator sees any app (`?app=`), the whole of it and its top tenants.
 */
export default async function UsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor("usage.read");
  const requested = (await searchParams).app;
  const resolved = await resolveUsageView(actor, typeof requested === "string" ? requested : null);
  if (!resolved.ok) return resolved.reason === "unknown_app" ? notFound() : forbidden();
  const report = await readUsageReport(resolved.view);
  const { snapshot } = report;
  const scopeLabel = report.scope.kind === "app" ? `all tenants on ${report.label}` : report.scope.tenantName;
  const csvQuery = new URLSearchParams({ [TENANT_QUERY]: actor.tenantId, ...(report.scope.kind === "app" ? { app: report.app.appKey } : {}) });
  // An empty month is most often a month of sandbox reads only: say so where the figures would be.
  const emptyNote =
    report.sandboxReads > 0
      ? `Intuit meters production reads only; the ${count.format(report.sandboxReads)} sandbox reads this month are not counted (see "Sandbox reads").`
      : "Intuit meters production reads only, and no read was made this month, in production or the sandbox.";

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Intuit usage</h1>
        <p className="mt-1 text-sm text-slate-600">
          Intuit meters the reads (CorePlus calls: queries, CompanyInfo, change data capture, reports) each Intuit app makes in production, per month, against its
          plan&apos;s quota. Writes, sign-in and the sandbox are not metered. Showing {report.label}.
        </p>
      </div>

      {report.apps && (
        <section aria-labelledby="apps-title" className="space-y-3">
          <h2 id="apps-title" className="text-lg font-semibold">
            Intuit apps
          </h2>
          <AppsTable
            apps={report.apps.map((a) => ({
              appKey: a.app.appKey,
              label: a.label,
              tier: a.snapshot.plan.tier,
              quota: a.snapshot.plan.monthlyQuota,
              used: a.snapshot.used,
              projected: a.snapshot.projection.monthEnd,
              current: a.app.appKey === report.app.appKey,
            }))}
          />
        </section>
      )}

      <section aria-labelledby="month-title" className="space-y-3">
        <h2 id="month-title" className="text-lg font-semibold">
          This month: {capitalised(report.label)}
        </h2>
        <UsageMonth label={report.label} figures={monthFigures(report)} planSetter={planSetterOf(report)} />
        {report.scope.kind === "tenant" && (
          <p data-testid="usage-tenant-share" className="text-sm">
            <span className="font-medium">
              {report.scope.tenantName}:{" "}
              {snapshot.used > 0
                ? `${count.format(report.totals.reads)} of these ${count.format(snapshot.used)} metered reads (${percent.format(report.totals.reads / snapshot.used)}).`
                : "no metered reads this month."}
            </span>{" "}
            <span className="text-slate-600">Every tenant on {report.label} counts against the same quota; the figures below are this tenant&apos;s own.</span>
          </p>
        )}
      </section>

      <section aria-labelledby="daily-title" className="space-y-3">
        <h2 id="daily-title" className="text-lg font-semibold">
          Reads by day and cause
        </h2>
        <p className="text-sm text-slate-600">Metered reads by {scopeLabel}, each UTC day of this quota month. Re-verify, change catch-up and checks are the product&apos;s own background work.</p>
        <UsageCharts days={report.days} scopeLabel={scopeLabel} emptyNote={emptyNote} />
      </section>

      <section aria-labelledby="operations-title" className="space-y-3">
        <h2 id="operations-title" className="text-lg font-semibold">
          Reads by operation
        </h2>
        <OperationsTable operations={report.operations} scopeLabel={scopeLabel} emptyNote={emptyNote} />
      </section>

      <section aria-labelledby="background-title" className="space-y-2">
        <h2 id="background-title" className="text-lg font-semibold">
          Background reads per connected company this month
        </h2>
        <p data-testid="usage-background-per-company" className="text-sm">
          {report.backgroundPerCompany === null
            ? `No company is connected in production (${scopeLabel}); ${count.format(report.totals.background)} background reads this month.`
            : `${count.format(report.backgroundPerCompany)} background reads per connected company: ${count.format(report.totals.background)} over ${count.format(report.connected)} connected ${report.connected === 1 ? "company" : "companies"} (${scopeLabel}).`}
        </p>
        <p data-testid="usage-governor" className={report.governor ? "rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" : "text-sm text-slate-600"}>
          {report.governor ??
            `Background reads run at their normal pace: change catch-up where webhooks may have been missed and at least daily, re-verify only for a connection with no successful call for a day. They may spend ${snapshot.plan.backgroundSharePct}% of the quota; when they are projected to spend more, they are slowed step by step, and this says so.`}
        </p>
      </section>

      {report.topTenants && (
        <section aria-labelledby="top-tenants-title" className="space-y-3">
          <h2 id="top-tenants-title" className="text-lg font-semibold">
            Top tenants
          </h2>
          <TopTenantsTable tenants={report.topTenants} appReads={snapshot.used} />
        </section>
      )}

      <section aria-labelledby="sandbox-title" className="space-y-2">
        <h2 id="sandbox-title" className="text-lg font-semibold">
          Sandbox reads
        </h2>
        <p data-testid="usage-sandbox" className="text-sm">
          {count.format(report.sandboxReads)} sandbox reads this month by {report.scope.kind === "app" ? `all tenants on ${report.label}` : report.scope.tenantName}: not
          metered, and not counted above.
        </p>
      </section>

      <section aria-labelledby="plan-title" className="space-y-3">
        <h2 id="plan-title" className="text-lg font-semibold">
          Plan of {report.label}
        </h2>
        {report.planRoute ? (
          <UsagePlanForm
            tenantId={actor.tenantId}
            route={report.planRoute}
            appLabel={report.label}
            initial={{ tier: snapshot.plan.tier, monthlyQuota: snapshot.plan.monthlyQuota, monthStartDay: snapshot.plan.monthStartDay, backgroundSharePct: snapshot.plan.backgroundSharePct }}
          />
        ) : (
          <p className="text-sm text-slate-700">
            {report.app.tenantId === null ? "The platform operator sets this plan." : `${report.app.tenantName ?? "The tenant"}'s admins set this plan on their own usage page.`}{" "}
            Alerts at 50%, 80%, 95% and 100% of the quota appear on every console page.
          </p>
        )}
      </section>

      <p className="text-sm">
        <a href={`/api/quickbooks/usage/daily.csv?${csvQuery.toString()}`} download className="text-blue-700 underline">
          Export CSV
        </a>{" "}
        <span className="text-slate-600">(every call per day, operation and cause this quota month, {scopeLabel}; the metered column says which count)</span>
      </p>
    </div>
  );
}

/** Who sets the plan of the app on view, as the page tells the viewer (the form shows when it is them). */
function planSetterOf(report: UsageReport): PlanSetter {
  if (report.planRoute) return { kind: "viewer" };
  if (report.app.tenantId === null) return { kind: "operator" };
  return { kind: "tenant_admins", tenantName: report.app.tenantName ?? "The tenant" };
}

function monthFigures(report: UsageReport) {
  const { snapshot } = report;
  return {
    used: snapshot.used,
    quota: snapshot.plan.monthlyQuota,
    tier: snapshot.plan.tier,
    monthStartDay: snapshot.plan.monthStartDay,
    monthStart: snapshot.month.start.toISOString(),
    monthEnd: snapshot.month.end.toISOString(),
    projection: { monthEnd: snapshot.projection.monthEnd, dailyRate: snapshot.projection.dailyRate, quotaRunsOutAt: snapshot.projection.quotaRunsOutAt?.toISOString() ?? null },
    background: { used: snapshot.background.used, budget: snapshot.background.budget, sharePct: snapshot.plan.backgroundSharePct },
    readsBlockedUntil: snapshot.readsBlockedUntil?.toISOString() ?? null,
  };
}
