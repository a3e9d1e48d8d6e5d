"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { secondaryButton } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import { fetchReconciliation, fetchReconciliations, ledgerKeys, postReconciliation, type ReconciliationRead, type ReconciliationView } from "./ledger-api";
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
  canManage,
}: {
  tenantId: string;
  initialList: ReconciliationView[];
  initialSelected: ReconciliationRead | null;
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
          Compares each mapped AWRA account&apos;s balance with its QuickBooks account&apos;s balance from the latest successful sync. Explain each
          difference (a deposit in transit, an invoice not yet entered…), then close the month: the closed reconciliation is kept as the
          month&apos;s snapshot and can no longer change. Unexplained differences turn the sync indicator red.
        </p>
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
