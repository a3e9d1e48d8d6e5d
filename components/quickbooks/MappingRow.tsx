"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { AccountPicker } from "./AccountPicker";
import { formatMoney, putMapping, type MappingView, type QboAccountOption, type ValidationView } from "./ledger-api";

/** One problem the latest validation found with an account's mapping. */
export type MappingIssue = ValidationView["issues"][number];

/** One AWRA account: its QuickBooks account, the picker to change it (with its own Save), and its validation problems. */
export function MappingRowView({
  tenantId,
  row,
  issues,
  canManage,
  onSaved,
}: {
  tenantId: string;
  row: MappingView;
  issues: MappingIssue[];
  canManage: boolean;
  onSaved: () => Promise<void>;
}) {
  const saved = row.qboAccountId === null ? null : { id: row.qboAccountId, name: row.qboAccountName ?? row.qboAccountId };
  const [choice, setChoice] = useState<{ id: string; name: string } | null>(saved);
  const [allowShared, setAllowShared] = useState(row.allowShared);
  const dirty = (choice?.id ?? null) !== row.qboAccountId || allowShared !== row.allowShared;
  const label = `${row.code} ${row.name}`;
  const save = useMutation({
    mutationFn: () => putMapping(tenantId, row.ledgerAccountId, { qboAccountId: choice?.id ?? null, allowShared }),
    onSuccess: onSaved,
  });

  return (
    <tr data-testid="mapping-row" data-code={row.code} data-mapped={row.qboAccountId ? "yes" : "no"} className="align-top">
      <th scope="row" className="px-3 py-2 font-mono font-normal">
        {row.code}
      </th>
      <td className="px-3 py-2">
        {row.name}
        {issues.length > 0 && (
          <ul className="mt-1 space-y-1" aria-label={`Problems with ${label}`}>
            {issues.map((issue) => (
              <li key={issue.issue} data-testid="mapping-issue" className="text-xs text-red-900">
                <span className="mr-1 rounded bg-red-100 px-1 font-semibold">Problem</span>
                {issue.message}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="px-3 py-2 capitalize">{row.type}</td>
      <td className="px-3 py-2 text-right tabular-nums">{formatMoney(row.balance)}</td>
      <td className="whitespace-nowrap px-3 py-2">{row.asOf}</td>
      <td className="px-3 py-2">
        {canManage ? (
          <div className="space-y-1">
            <AccountPicker tenantId={tenantId} label={`QuickBooks account for ${label}`} value={choice} onChange={(account: QboAccountOption) => setChoice({ id: account.id, name: account.name })} />
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
              <label className="flex items-center gap-1">
                <input type="checkbox" checked={allowShared} onChange={(event) => setAllowShared(event.target.checked)} aria-label={`Allow sharing for ${label}`} />
                <span>Allow sharing</span>
              </label>
              {choice && (
                <button type="button" onClick={() => setChoice(null)} className="text-blue-700 underline" aria-label={`Unmap ${label}`}>
                  Unmap
                </button>
              )}
              <button
                type="button"
                onClick={() => save.mutate()}
                disabled={!dirty || save.isPending}
                aria-label={`Save mapping for ${label}`}
                className="rounded border border-slate-300 px-2 py-0.5 font-medium hover:bg-slate-100 disabled:opacity-50"
              >
                {save.isPending ? "Saving…" : "Save"}
              </button>
              {dirty && !save.isPending && <span className="text-amber-800">Not saved</span>}
            </div>
            {save.error && (
              <p role="alert" className="text-xs text-red-900">
                {save.error.message}
              </p>
            )}
          </div>
        ) : (
          <div>
            {saved ? <span data-testid="mapped-to">{saved.name}</span> : <span className="text-slate-500">Not mapped</span>}
            {row.allowShared && <span className="block text-xs text-slate-600">Sharing allowed</span>}
          </div>
        )}
      </td>
    </tr>
  );
}
