"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { secondaryButton } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead, type TableColumn } from "@/components/ui/Table";
import { formatCount, formatMoney, postClose, putExplanation, type ReconciliationLineView, type ReconciliationRead } from "./ledger-api";

const isDifferent = (line: Pick<ReconciliationLineView, "difference">) => Number(line.difference) !== 0;
const LINE_COLUMNS: (TableColumn | string)[] = [
  "Code",
  "Name",
  "QuickBooks account",
  { label: "AWRA balance", numeric: true },
  { label: "QuickBooks balance", numeric: true },
  { label: "Difference", numeric: true },
  "Explanation",
];

/**
 * One reconciliation: its header and state, "Export CSV", "Close month" (confirmed first), and its lines with the
 * differences and their explanations, then the totals.
 */
export function ReconciliationDetail({ tenantId, read, canManage }: { tenantId: string; read: ReconciliationRead; canManage: boolean }) {
  const queryClient = useQueryClient();
  const { reconciliation: r, lines, totals } = read;
  const closed = r.status === "closed";
  const editable = canManage && !closed;
  const [confirming, setConfirming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["ledger", tenantId] });
  const close = useMutation({
    mutationFn: () => postClose(tenantId, r.id),
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
          <p className="text-sm text-slate-600" data-testid="reconciliation-company">
            {r.environment === "production" ? "Production" : "Sandbox"} company {r.realmId}; balances as of {r.asOf}
            {r.syncRunId !== null && ` (chart of sync run #${r.syncRunId})`}; created <LocalTime iso={r.createdAt} />.
          </p>
          <ReportBasis reconciliation={r} />
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
            <button type="button" className={secondaryButton} onClick={() => setConfirming(true)} disabled={close.isPending}>
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
      <Table caption={`Reconciliation ${r.period}: AWRA and QuickBooks balances per account, with differences and their explanations`}>
        <TableHead columns={LINE_COLUMNS} />
        <TableBody>
          {lines.map((line) => (
            <LineRow key={line.id} tenantId={tenantId} reconciliationId={r.id} line={line} editable={editable} onSaved={refresh} />
          ))}
        </TableBody>
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
      </Table>
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

/**
 * The close's basis: the QuickBooks report its QuickBooks balances were read from, what an auditor needs to ask Intuit
 * for the same report. Reconciliations made before it was kept compared with a sync's CurrentBalance, and say so.
 */
function ReportBasis({ reconciliation: r }: { reconciliation: ReconciliationRead["reconciliation"] }) {
  if (!r.reportEndDate) {
    return (
      <p data-testid="report-basis" className="mt-1 text-sm text-slate-600">
        QuickBooks balances: the accounts&apos; CurrentBalance as the sync read them (made before the Trial Balance was used).
      </p>
    );
  }
  return (
    <dl data-testid="report-basis" className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm">
      <dt className="text-slate-600">QuickBooks report</dt>
      <dd>
        Trial Balance as of <span data-testid="basis-end-date">{r.reportEndDate}</span>
        {r.reportStartDate && ` (income and expense from ${r.reportStartDate})`}
      </dd>
      <dt className="text-slate-600">Accounting method</dt>
      <dd data-testid="basis-method">{r.accountingMethod ?? "Unknown"}</dd>
      <dt className="text-slate-600">Read</dt>
      <dd>{r.reportReadAt ? <LocalTime iso={r.reportReadAt} /> : "Unknown"}</dd>
      <dt className="text-slate-600">intuit_tid</dt>
      <dd data-testid="basis-intuit-tid" className="font-mono break-all">
        {r.reportIntuitTid ?? "Not sent by Intuit"}
      </dd>
    </dl>
  );
}

function LineRow({
  tenantId,
  reconciliationId,
  line,
  editable,
  onSaved,
}: {
  tenantId: string;
  reconciliationId: number;
  line: ReconciliationLineView;
  editable: boolean;
  onSaved: () => Promise<void>;
}) {
  const differs = isDifferent(line);
  const [draft, setDraft] = useState(line.explanation ?? "");
  const save = useMutation({ mutationFn: () => putExplanation(tenantId, reconciliationId, line.id, draft), onSuccess: onSaved });
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
