"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { LocalTime } from "@/components/ui/LocalTime";
import {
  fetchReconciliation,
  fetchReconciliations,
  formatCount,
  formatMoney,
  ledgerKeys,
  postClose,
  postReconciliation,
  putExplanation,
  type ReconciliationLineView,
  type ReconciliationRead,
  type ReconciliationView,
} from "./ledger-api";

const button = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60";
const isDifferent = (line: Pick<ReconciliationLineView, "difference">) => Number(line.difference) !== 0;

/**
 * Reconciliation: "Reconcile now" against the latest sync, the selected reconciliation line by line with its
 * differences and their explanations, the totals, "Close month" (after which nothing can change), its CSV, and the
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
  const { data: list } = useQuery({ queryKey: listKey, queryFn: async () => (await fetchReconciliations()).reconciliations, initialData: initialList });
  const [selectedId, setSelectedId] = useState<number | null>(initialSelected?.reconciliation.id ?? null);
  const { data: selected, error: loadError } = useQuery({
    queryKey: ledgerKeys.reconciliation(tenantId, selectedId ?? 0),
    queryFn: () => fetchReconciliation(selectedId!),
    enabled: selectedId !== null,
    initialData: selectedId !== null && initialSelected?.reconciliation.id === selectedId ? initialSelected : undefined,
  });
  const [notice, setNotice] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: postReconciliation,
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
          <button type="button" className={button} disabled={create.isPending} onClick={() => create.mutate()}>
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
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full text-left text-sm">
              <caption className="sr-only">Past reconciliations, newest first</caption>
              <thead className="bg-slate-50 text-slate-600">
                <tr>
                  {["Period", "Status", "As of", "Created", "Closed", ""].map((h, i) => (
                    <th key={i} scope="col" className="px-3 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
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
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}

function ReconciliationDetail({ tenantId, read, canManage }: { tenantId: string; read: ReconciliationRead; canManage: boolean }) {
  const queryClient = useQueryClient();
  const { reconciliation: r, lines, totals } = read;
  const closed = r.status === "closed";
  const editable = canManage && !closed;
  const [confirming, setConfirming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["ledger", tenantId] });
  const close = useMutation({
    mutationFn: () => postClose(r.id),
    onSettled: () => {
      setConfirming(false);
      return refresh();
    },
  });

  return (
    <section aria-labelledby="detail-title" data-testid="reconciliation" data-status={r.status} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="detail-title" className="text-lg font-semibold">
            Reconciliation {r.period}
          </h2>
          <p className="text-sm text-slate-600">
            {r.environment === "production" ? "Production" : "Sandbox"} company {r.realmId}; balances as of {r.asOf}
            {r.syncRunId !== null && ` (sync run #${r.syncRunId})`}; created <LocalTime iso={r.createdAt} />.
          </p>
          {closed ? (
            <p data-testid="closed-on" className="mt-1 text-sm font-medium">
              <span className="mr-1 rounded bg-slate-800 px-1.5 py-0.5 text-xs font-semibold text-white">Closed</span>
              Closed on {r.closedAt ? <LocalTime iso={r.closedAt} /> : "an unknown date"}. This is the month&apos;s stored snapshot: it can no longer
              change.
            </p>
          ) : (
            <p className="mt-1 text-sm">
              <span className="rounded bg-blue-100 px-1.5 py-0.5 text-xs font-semibold text-blue-900">Open</span>
            </p>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <a href={`/api/quickbooks/reconciliations/${r.id}/csv`} download className="text-sm text-blue-700 underline">
            Export CSV
          </a>
          {editable && (
            <button type="button" className={button} onClick={() => setConfirming(true)} disabled={close.isPending}>
              Close month
            </button>
          )}
        </div>
      </div>
      <p className="text-sm" data-testid="reconciliation-summary">
        {totals.differences === 0
          ? "Every balance agrees with QuickBooks."
          : `${totals.differences} account${totals.differences === 1 ? "" : "s"} differ from QuickBooks; ${totals.unexplained === 0 ? "all explained" : `${totals.unexplained} unexplained`}.`}
      </p>
      {close.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {close.error.message}
        </p>
      )}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-left text-sm">
          <caption className="sr-only">
            Reconciliation {r.period}: AWRA and QuickBooks balances per account, with differences and their explanations
          </caption>
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Code
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Name
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                QuickBooks account
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                AWRA balance
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                QuickBooks balance
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Difference
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Explanation
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {lines.map((line) => (
              <LineRow key={line.id} reconciliationId={r.id} line={line} editable={editable} onSaved={refresh} />
            ))}
          </tbody>
          <tfoot className="border-t-2 border-slate-300 font-semibold">
            <tr data-testid="totals-row">
              <th scope="row" colSpan={3} className="px-3 py-2 text-left">
                Total
              </th>
              <td className="px-3 py-2 text-right tabular-nums">{formatMoney(totals.awra)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatMoney(totals.qbo)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatMoney(totals.difference)}</td>
              <td className="px-3 py-2 text-sm font-normal">
                {formatCount(totals.differences)} difference{totals.differences === 1 ? "" : "s"}, {formatCount(totals.unexplained)} unexplained
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <ConfirmDialog open={confirming} title={`Close ${r.period}?`} confirmLabel="Close month" onConfirm={() => close.mutate()} onCancel={() => setConfirming(false)}>
        <p>
          The reconciliation becomes {r.period}&apos;s stored snapshot: its balances and explanations can never change again, and no other
          reconciliation of {r.period} can be closed.
        </p>
        {totals.unexplained > 0 && (
          <p className="mt-2 font-medium text-red-800">
            {totals.unexplained} difference{totals.unexplained === 1 ? " is" : "s are"} still unexplained: the sync indicator stays red until a
            later reconciliation explains or clears {totals.unexplained === 1 ? "it" : "them"}.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}

function LineRow({ reconciliationId, line, editable, onSaved }: { reconciliationId: number; line: ReconciliationLineView; editable: boolean; onSaved: () => Promise<void> }) {
  const differs = isDifferent(line);
  const [draft, setDraft] = useState(line.explanation ?? "");
  const save = useMutation({ mutationFn: () => putExplanation(reconciliationId, line.id, draft), onSuccess: onSaved });
  const label = `${line.code} ${line.name}`;
  const state = !differs ? "agrees" : line.explanation ? "explained" : "unexplained";

  return (
    <tr data-testid="reconciliation-line" data-code={line.code} data-state={state} className={`align-top ${state === "unexplained" ? "bg-red-50" : state === "explained" ? "bg-amber-50" : ""}`}>
      <th scope="row" className="px-3 py-2 font-mono font-normal">
        {line.code}
      </th>
      <td className="px-3 py-2">{line.name}</td>
      <td className="px-3 py-2">{line.qboAccountName ?? (line.qboAccountId ? line.qboAccountId : <span className="text-slate-500">Not mapped</span>)}</td>
      <td className="px-3 py-2 text-right tabular-nums">{formatMoney(line.awraBalance)}</td>
      <td className="px-3 py-2 text-right tabular-nums">{formatMoney(line.qboBalance)}</td>
      <td className="px-3 py-2 text-right tabular-nums">
        {formatMoney(line.difference)}
        {differs && (
          <span className={`ml-1 block text-xs font-semibold ${state === "unexplained" ? "text-red-900" : "text-amber-900"}`} data-testid="difference-badge">
            {state === "unexplained" ? "Difference, unexplained" : "Difference, explained"}
          </span>
        )}
      </td>
      <td className="px-3 py-2">
        {differs && editable ? (
          <form
            className="flex flex-wrap items-center gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              save.mutate();
            }}
          >
            <input
              type="text"
              aria-label={`Explanation for ${label}`}
              maxLength={500}
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              placeholder="Why it differs"
              className="min-w-48 flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm"
            />
            <button
              type="submit"
              aria-label={`Save explanation for ${label}`}
              disabled={save.isPending || draft.trim() === (line.explanation ?? "")}
              className="rounded border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-100 disabled:opacity-50"
            >
              {save.isPending ? "Saving…" : "Save"}
            </button>
            {save.error && (
              <p role="alert" className="w-full text-xs text-red-900">
                {save.error.message}
              </p>
            )}
          </form>
        ) : differs ? (
          line.explanation ? (
            <span data-testid="explanation">{line.explanation}</span>
          ) : (
            <span className="text-red-900">Not explained</span>
          )
        ) : (
          <span className="text-slate-500">Agrees</span>
        )}
      </td>
    </tr>
  );
}
