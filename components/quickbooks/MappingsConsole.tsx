"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { secondaryButton } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead, type TableColumn } from "@/components/ui/Table";
import type { IntuitEnvironment } from "@/lib/env";
import { fetchOverview, formatCount, ledgerKeys, postSuggest, postValidate, type MappingOverview, type SyncRunView, type ValidationView } from "./ledger-api";
import { MappingRowView, type MappingIssue } from "./MappingRow";
import { ProductionResolution } from "./ProductionResolution";
import { SyncPanel } from "./SyncPanel";

export interface MappingsPermissions {
  /** mappings.manage: change mappings, match by name, validate. */
  manage: boolean;
  /** sync.run: start and resume syncs. */
  sync: boolean;
}

const ENVIRONMENT_LABEL: Record<IntuitEnvironment, string> = { sandbox: "Sandbox", production: "Production" };
const MAPPING_COLUMNS: (TableColumn | string)[] = [
  "Code",
  "Name",
  "Type",
  { label: "Balance", numeric: true },
  "As of",
  { label: "QuickBooks account", className: "w-72" },
];

/** The newest of the two environments' latest validations: the one whose issues are shown beside the accounts. */
function newestValidation(overview: MappingOverview): (ValidationView & { current: boolean }) | null {
  const { sandbox, production } = overview.validations;
  if (!sandbox) return production;
  if (!production) return sandbox;
  return new Date(production.createdAt) > new Date(sandbox.createdAt) ? production : sandbox;
}

/**
 * The account mappings page: AWRA's chart with each account's QuickBooks account, the picker to change it, "Match by
 * name", "Validate in sandbox" with its result beside each account, and the sync panel. Read-only without the rights.
 */
export function MappingsConsole({
  tenantId,
  initialOverview,
  initialRuns,
  permissions,
}: {
  tenantId: string;
  initialOverview: MappingOverview;
  initialRuns: SyncRunView[];
  permissions: MappingsPermissions;
}) {
  const queryClient = useQueryClient();
  const overviewKey = ledgerKeys.overview(tenantId);
  const { data: overview } = useQuery({ queryKey: overviewKey, queryFn: () => fetchOverview(tenantId), initialData: initialOverview });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["ledger", tenantId] });
  const [notice, setNotice] = useState<string | null>(null);

  const suggest = useMutation({
    mutationFn: () => postSuggest(tenantId),
    onMutate: () => setNotice(null),
    onSuccess: ({ mapped }) =>
      setNotice(
        mapped === 0
          ? "Match by name found no unmapped account with a QuickBooks account of the same name and type."
          : `Match by name mapped ${formatCount(mapped)} account${mapped === 1 ? "" : "s"}. Check them, then validate.`,
      ),
    onSettled: refresh,
  });
  const validate = useMutation({
    mutationFn: (environment: IntuitEnvironment) => postValidate(tenantId, environment),
    onMutate: () => setNotice(null),
    onSettled: refresh,
  });
  const failure = suggest.error ?? validate.error;

  const validation = newestValidation(overview);
  const issuesByAccount = new Map<string, MappingIssue[]>();
  for (const issue of validation?.issues ?? []) issuesByAccount.set(issue.ledgerAccountId, [...(issuesByAccount.get(issue.ledgerAccountId) ?? []), issue]);
  const chartFetched = overview.chart.accounts > 0;
  const busy = suggest.isPending || validate.isPending;

  return (
    <div className="space-y-8">
      <section aria-labelledby="mapping-actions-title" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="mapping-actions-title" className="text-lg font-semibold">
          Mapping set
        </h2>
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-slate-600">Environment</dt>
          <dd>{ENVIRONMENT_LABEL[overview.environment]}</dd>
          <dt className="text-slate-600">Mapped</dt>
          <dd data-testid="mapped-count">
            {formatCount(overview.mapped)} of {formatCount(overview.accounts.length)} AWRA accounts
          </dd>
          <dt className="text-slate-600">QuickBooks chart (sandbox)</dt>
          <dd data-testid="chart-status">
            {chartFetched ? (
              <>
                {formatCount(overview.chart.accounts)} accounts stored
                {overview.chart.fetchedAt && (
                  <>
                    , last refreshed <LocalTime iso={overview.chart.fetchedAt} />
                  </>
                )}
              </>
            ) : (
              "Never fetched"
            )}
          </dd>
        </dl>
        {!chartFetched && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="chart-never-fetched">
            The QuickBooks chart of accounts has never been fetched for this company, so there is nothing to pick from and nothing to match by
            name yet. “Validate in sandbox” fetches it from QuickBooks (every validation refreshes the stored chart); a sync brings it in too.
          </p>
        )}

        <ValidationSummary overview={overview} />

        {(permissions.manage || permissions.sync) && (
          <div className="flex flex-wrap gap-3">
            {permissions.manage && (
              <>
                <button type="button" className={secondaryButton} disabled={busy} onClick={() => suggest.mutate()}>
                  {suggest.isPending ? "Matching…" : "Match by name"}
                </button>
                <button type="button" className={secondaryButton} disabled={busy} onClick={() => validate.mutate("sandbox")}>
                  {validate.isPending && validate.variables === "sandbox" ? "Validating in sandbox…" : "Validate in sandbox"}
                </button>
                {overview.environment === "production" && (
                  <button type="button" className={secondaryButton} disabled={busy} onClick={() => validate.mutate("production")}>
                    {validate.isPending && validate.variables === "production" ? "Validating in production…" : "Validate in production"}
                  </button>
                )}
              </>
            )}
          </div>
        )}
        {!permissions.manage && <p className="text-sm text-slate-600">Your role can read the mappings; an accountant or admin changes them.</p>}
        <div aria-live="polite" className="space-y-2 text-sm">
          {notice && <p className="rounded-md bg-slate-50 px-3 py-2">{notice}</p>}
          {validate.data && (
            <p data-testid="validation-result" data-passed={validate.data.validation.passed ? "yes" : "no"} className="rounded-md bg-slate-50 px-3 py-2">
              {ENVIRONMENT_LABEL[validate.data.validation.environment]} validation{" "}
              {validate.data.validation.passed
                ? `passed: ${formatCount(validate.data.validation.checked)} accounts checked, ${formatCount(validate.data.validation.mapped)} mapped.`
                : `failed with ${validate.data.validation.issues.length} problem${validate.data.validation.issues.length === 1 ? "" : "s"}, shown beside the accounts below.`}
            </p>
          )}
        </div>
        {failure && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
            {failure.message}
          </p>
        )}
      </section>

      {overview.production && <ProductionResolution tenantId={tenantId} production={overview.production} canManage={permissions.manage} onConfirmed={refresh} />}

      <SyncPanel tenantId={tenantId} initialRuns={initialRuns} canRun={permissions.sync} />

      <section aria-labelledby="mappings-title" className="space-y-3">
        <h2 id="mappings-title" className="text-lg font-semibold">
          AWRA accounts and their QuickBooks accounts
        </h2>
        {validation && !validation.current && issuesByAccount.size > 0 && (
          <p className="text-sm text-slate-600">The problems shown are from the last validation; the mappings changed since. Validate again to re-check.</p>
        )}
        <Table caption="AWRA chart of accounts with the QuickBooks account each one maps to">
          <TableHead columns={MAPPING_COLUMNS} />
          <TableBody>
            {overview.accounts.map((row) => (
              <MappingRowView
                // A saved change arrives as new props: the row's draft starts again from them.
                key={`${row.ledgerAccountId}:${row.qboAccountId ?? ""}:${row.allowShared}`}
                tenantId={tenantId}
                row={row}
                issues={issuesByAccount.get(row.ledgerAccountId) ?? []}
                canManage={permissions.manage}
                onSaved={refresh}
              />
            ))}
          </TableBody>
        </Table>
        {overview.accounts.length === 0 && <p className="text-sm text-slate-600">This tenant has no AWRA accounts yet.</p>}
      </section>
    </div>
  );
}

function ValidationSummary({ overview }: { overview: MappingOverview }) {
  const environments: IntuitEnvironment[] = ["sandbox", "production"];
  return (
    <div>
      <h3 className="text-sm font-semibold">Latest validations</h3>
      <ul className="mt-1 space-y-1 text-sm" aria-label="Latest validations">
        {environments.map((environment) => {
          const v = overview.validations[environment];
          return (
            <li key={environment} data-testid={`validation-${environment}`} data-passed={v ? (v.passed ? "yes" : "no") : "none"} data-current={v?.current ? "yes" : "no"}>
              <span className="font-medium">{ENVIRONMENT_LABEL[environment]}:</span>{" "}
              {v ? (
                <>
                  <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${v.passed ? "bg-green-100 text-green-900" : "bg-red-100 text-red-900"}`}>
                    {v.passed ? "Passed" : "Failed"}
                  </span>{" "}
                  {formatCount(v.checked)} accounts checked, {formatCount(v.mapped)} mapped
                  {v.passed ? "" : `, ${v.issues.length} problem${v.issues.length === 1 ? "" : "s"}`}, on <LocalTime iso={v.createdAt} />.{" "}
                  {v.current ? (
                    <span>Still current.</span>
                  ) : (
                    <span className="font-medium text-amber-800">Out of date: the mappings changed since. Validate again.</span>
                  )}
                </>
              ) : (
                "Never validated."
              )}
            </li>
          );
        })}
      </ul>
      <p className="mt-1 text-xs text-slate-600">
        A production sync needs a passing, current sandbox validation of the same mapping set, and every mapping’s production account confirmed.
      </p>
    </div>
  );
}
