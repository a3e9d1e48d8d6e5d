"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { secondaryButton } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import type { AccountingMethod } from "@/lib/intuit/trial-balance";
import { fetchReconciliation, fetchReconciliations, ledgerKeys, postReconciliation, putAccountingMethod, type ReconciliationRead, type ReconciliationView } from "./ledger-api";
import { ReconciliationDetail } from "./ReconciliationDetail";

/**
 * Reconciliation: "Reconcile now" against QuickBooks' Trial Balance as of the ledger's period end, the selected
 * reconciliation line by line with its differences and their explanations, the totals, "Close month" (after which nothing can change), its CSV, and the
 * past reconciliations. Read-only without reconciliation.manage.
 */
export function ReconciliationConsole({
  tenantId,
  initialList,
  initialSelected,
  initialAccountingMethod,
  canManage,
}: {
  tenantId: string;
  initialList: ReconciliationView[];
  initialSelected: ReconciliationRead | null;
  initialAccountingMethod: AccountingMethod;
  canManage: boolean;
}) {
  const queryClient = useQueryClient();
  const listKey = ledgerKeys.reconciliations(tenantId);
  const { data: list } = useQuery({ queryKey: listKey, queryFn: async () => (await fetchReconciliations(tenantId)).reconciliations, initialData: initialList });
  const [selectedId, setSelectedId] = useState<number | null>(initialSelected?.reconciliation.id ?? null);
  const { data: selected, error: loadError } = useQuery({
    queryKey: ledgerKeys.reconciliation(tenantId, selectedId ?? 0),
    queryFn: () => fetchReconciliation(tenantId, selectedId!),
    enabled: selectedId !== null,
    initialData: selectedId !== null && initialSelected?.reconciliation.id === selectedId ? initialSelected : undefined,
  });
  const [notice, setNotice] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: () => postReconciliation(tenantId),
    onMutate: () => setNotice(null),
    onSuccess: (read) => {
      queryClient.setQueryData(ledgerKeys.reconciliation(tenantId, read.reconciliation.id), read);
      setSelectedId(read.reconciliation.id);
      setNotice(
        read.totals.differences === 0
          ? `Reconciled ${read.reconciliation.period}: every balance agrees with QuickBooks.`
          : `Reconciled ${read.reconciliation.period}: ${read.totals.differences} account${read.totals.differences === 1 ? "" : "s"} differ from QuickBooks.`,
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
  });

  return (
    <div className="space-y-8">
      <section aria-labelledby="reconcile-title" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="reconcile-title" className="text-lg font-semibold">
          Reconcile
        </h2>
        <p className="text-sm text-slate-600">
          Compares each mapped AWRA account&apos;s balance with QuickBooks&apos; Trial Balance as of the period&apos;s last day, read when you
          reconcile. Explain each difference (a deposit in transit, an invoice not yet entered…), then close the month: the closed
          reconciliation is kept as the month&apos;s snapshot and can no longer change. Unexplained differences turn the sync indicator red.
        </p>
        <AccountingMethodSetting tenantId={tenantId} initial={initialAccountingMethod} canManage={canManage} />
        {canManage ? (
          <button type="button" className={secondaryButton} disabled={create.isPending} onClick={() => create.mutate()}>
            {create.isPending ? "Reconciling…" : "Reconcile now"}
          </button>
        ) : (
          <p className="text-sm text-slate-600">Your role can read reconciliations; an accountant or admin reconciles and closes months.</p>
        )}
        <div aria-live="polite">{notice && <p className="rounded-md bg-slate-50 px-3 py-2 text-sm">{notice}</p>}</div>
        {create.error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
            {create.error.message}
          </p>
        )}
      </section>

      {loadError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {loadError.message}
        </p>
      )}
      {selected ? (
        <ReconciliationDetail key={selected.reconciliation.id} tenantId={tenantId} read={selected} canManage={canManage} />
      ) : (
        list.length === 0 && <p className="text-sm text-slate-600">No reconciliation yet.{canManage ? " Run a sync, then “Reconcile now”." : ""}</p>
      )}

      {list.length > 0 && (
        <section aria-labelledby="past-title" className="space-y-2">
          <h2 id="past-title" className="text-lg font-semibold">
            Reconciliations
          </h2>
          <Table caption="Past reconciliations, newest first">
            <TableHead columns={["Period", "Status", "As of", "Created", "Closed", { label: "Actions", srOnly: true }]} />
            <TableBody>
              {list.map((r) => (
                <tr key={r.id} data-testid="reconciliation-row" data-status={r.status} aria-current={r.id === selectedId ? "true" : undefined} className={r.id === selectedId ? "bg-blue-50" : ""}>
                  <th scope="row" className="px-3 py-2 font-medium">
                    {r.period}
                    <span className="block text-xs font-normal text-slate-500">#{r.id}</span>
                  </th>
                  <td className="px-3 py-2">{r.status === "closed" ? "Closed" : "Open"}</td>
                  <td className="px-3 py-2">{r.asOf}</td>
                  <td className="whitespace-nowrap px-3 py-2">
                    <LocalTime iso={r.createdAt} />
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">{r.closedAt ? <LocalTime iso={r.closedAt} /> : "—"}</td>
                  <td className="px-3 py-2">
                    {r.id === selectedId ? (
                      <span className="text-xs text-slate-600">Shown above</span>
                    ) : (
                      <button type="button" onClick={() => setSelectedId(r.id)} className="text-blue-700 underline" aria-label={`Show reconciliation ${r.period} #${r.id}`}>
                        Show
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </TableBody>
          </Table>
        </section>
      )}
    </div>
  );
}

const METHOD_LABEL: Record<AccountingMethod, string> = { Accrual: "Accrual", Cash: "Cash" };

/** The basis QuickBooks' Trial Balance is read on: the tenant's own, for the reconciliations made from now on. */
function AccountingMethodSetting({ tenantId, initial, canManage }: { tenantId: string; initial: AccountingMethod; canManage: boolean }) {
  const [saved, setSaved] = useState(initial);
  const [draft, setDraft] = useState(initial);
  const save = useMutation({
    mutationFn: () => putAccountingMethod(tenantId, draft),
    onSuccess: ({ accountingMethod }) => setSaved(accountingMethod),
  });
  if (!canManage) {
    return (
      <p className="text-sm" data-testid="accounting-method">
        <span className="text-slate-600">Accounting method:</span> {METHOD_LABEL[saved]}
      </p>
    );
  }
  return (
    <div className="flex flex-wrap items-end gap-3 text-sm">
      <div>
        <label htmlFor="accounting-method" className="block font-medium">
          Accounting method
        </label>
        <select
          id="accounting-method"
          value={draft}
          onChange={(e) => setDraft(e.target.value as AccountingMethod)}
          aria-describedby="accounting-method-help"
          className="mt-1 rounded-md border border-slate-300 px-3 py-1.5"
        >
          <option value="Accrual">Accrual</option>
          <option value="Cash">Cash</option>
        </select>
      </div>
      <button type="button" className={secondaryButton} disabled={save.isPending || draft === saved} onClick={() => save.mutate()}>
        {save.isPending ? "Saving…" : "Save method"}
      </button>
      <p id="accounting-method-help" className="basis-full text-slate-600" aria-live="polite">
        {save.error ? (
          <span role="alert" className="text-red-900">
            {save.error.message}
          </span>
        ) : (
          `Reconciliations read the Trial Balance on the ${saved.toLowerCase()} basis, as your books are kept in QuickBooks. A change applies to the next reconciliation; closed months keep theirs.`
        )}
      </p>
    </div>
  );
}
