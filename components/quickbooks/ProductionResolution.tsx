"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { secondaryButton } from "@/components/ui/button";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import { formatCount, postConfirmProduction, postResolveProduction, type MappingOverview, type ProductionResolutionView } from "./ledger-api";

type Resolution = ProductionResolutionView["resolutions"][number];
type Candidate = Extract<Resolution, { status: "ambiguous" }>["candidates"][number];

const FOUND_BY: Record<Candidate["matchedBy"], string> = { number: "by number", name: "by name" };
const ATTENTION: Record<Resolution["status"], number> = { ambiguous: 0, missing: 1, resolved: 2, unmapped: 3 };

const accountLabel = (account: { name: string; fullyQualifiedName: string | null; number: string | null }) =>
  `${account.number ? `${account.number} ` : ""}${account.fullyQualifiedName ?? account.name}`;

/**
 * Moving the mappings to the production company: account ids differ there, so "Resolve in production" finds each
 * mapped account by its number, then its full name, and shows what it found; an accountant picks where several
 * accounts answer and confirms. Only confirmed production accounts are stored, and a production sync needs them all.
 */
export function ProductionResolution({
  tenantId,
  production,
  canManage,
  onConfirmed,
}: {
  tenantId: string;
  production: NonNullable<MappingOverview["production"]>;
  canManage: boolean;
  onConfirmed: () => void;
}) {
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const resolve = useMutation({
    mutationFn: () => postResolveProduction(tenantId),
    onMutate: () => {
      setNotice(null);
      setChoices({});
    },
  });
  const preview = resolve.data ?? null;
  // What needs the accountant first: the ambiguous ones, then the ones not found, then the rest in code order.
  const shown = preview ? preview.resolutions.filter((r) => r.status !== "unmapped").sort((a, b) => ATTENTION[a.status] - ATTENTION[b.status]) : [];
  const chosenFor = (r: Resolution): string | null => (r.status === "resolved" ? r.target.id : r.status === "ambiguous" ? (choices[r.ledgerAccountId] ?? null) : null);
  const waiting = shown.filter((r) => r.status === "ambiguous" && !choices[r.ledgerAccountId]).length;
  const missing = shown.filter((r) => r.status === "missing").length;
  const confirmable = shown.flatMap((r) => {
    const id = chosenFor(r);
    return id ? [{ ledgerAccountId: r.ledgerAccountId, qboAccountId: id }] : [];
  });

  const confirm = useMutation({
    mutationFn: () => postConfirmProduction(tenantId, { realmId: preview!.realmId, choices: confirmable }),
    onSuccess: ({ confirmed }) => {
      setNotice(`Confirmed the production account of ${formatCount(confirmed)} mapped account${confirmed === 1 ? "" : "s"}.`);
      resolve.reset();
      onConfirmed();
    },
  });
  const failure = resolve.error ?? confirm.error;
  const complete = production.mapped > 0 && production.confirmed === production.mapped;

  return (
    <section aria-labelledby="production-title" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="production-title" className="text-lg font-semibold">
        Production company
      </h2>
      <p className="text-sm text-slate-700">
        Account ids differ between the sandbox and production companies, so the mappings are carried over by each account’s number, then its full
        name. “Resolve in production” reads the production chart and shows what it found; nothing is stored until you confirm.
      </p>
      <p data-testid="production-coverage" data-complete={complete ? "yes" : "no"} className="text-sm">
        <span className="font-medium">Company {production.realmId}:</span> {formatCount(production.confirmed)} of {formatCount(production.mapped)} mapped
        accounts have their production account confirmed.{" "}
        {complete ? "A production sync may run." : "A production sync needs every one of them confirmed."}
      </p>
      {canManage && (
        <button type="button" className={secondaryButton} disabled={resolve.isPending || confirm.isPending} onClick={() => resolve.mutate()}>
          {resolve.isPending ? "Resolving in production…" : "Resolve in production"}
        </button>
      )}
      <div aria-live="polite" className="text-sm">
        {notice && <p className="rounded-md bg-slate-50 px-3 py-2">{notice}</p>}
        {preview && (
          <p data-testid="resolution-summary" className="rounded-md bg-slate-50 px-3 py-2">
            {formatCount(shown.filter((r) => r.status === "resolved").length)} found, {formatCount(shown.filter((r) => r.status === "ambiguous").length)} with
            several candidates, {formatCount(missing)} not found in company {preview.realmId}.
            {waiting > 0 ? ` Choose an account for ${formatCount(waiting)} of them, then confirm.` : missing > 0 ? " Confirm the others; the ones not found need a fix in QuickBooks first." : " Check them, then confirm."}
          </p>
        )}
      </div>
      {failure && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {failure.message}
        </p>
      )}
      {preview && shown.length > 0 && (
        <>
          {canManage && (
            <button type="button" className={secondaryButton} disabled={confirm.isPending || confirmable.length === 0} onClick={() => confirm.mutate()}>
              {confirm.isPending ? "Confirming…" : `Confirm ${formatCount(confirmable.length)} production account${confirmable.length === 1 ? "" : "s"}`}
            </button>
          )}
          <Table caption="Each mapped account in the sandbox and the production account found for it" framed={false}>
            <TableHead columns={["AWRA account", "Sandbox account", "Production account"]} />
            <TableBody>
              {shown.map((r) => (
                <tr key={r.ledgerAccountId} data-testid="resolution-row" data-code={r.code} data-status={r.status} className="border-t border-slate-100 align-top">
                  <th scope="row" className="px-3 py-2 font-normal">
                    {r.code} {r.name}
                  </th>
                  <td className="px-3 py-2">
                    {r.qboAccountNumber ? `${r.qboAccountNumber} ` : ""}
                    {r.qboAccountFqn ?? r.qboAccountName}
                  </td>
                  <td className="px-3 py-2">
                    <ResolutionCell resolution={r} choice={choices[r.ledgerAccountId] ?? null} onChoose={(id) => setChoices((c) => ({ ...c, [r.ledgerAccountId]: id }))} />
                  </td>
                </tr>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </section>
  );
}

function ResolutionCell({ resolution, choice, onChoose }: { resolution: Resolution; choice: string | null; onChoose: (id: string) => void }) {
  if (resolution.status === "resolved") {
    return (
      <span>
        {accountLabel(resolution.target)} <span className="text-slate-600">({FOUND_BY[resolution.target.matchedBy]})</span>
        {!resolution.target.active && <span className="ml-1 font-medium text-amber-800">inactive in QuickBooks</span>}
      </span>
    );
  }
  if (resolution.status === "missing") return <span className="text-amber-900">{resolution.reason}</span>;
  if (resolution.status === "unmapped") return null;
  return (
    <fieldset>
      <legend className="mb-1 text-amber-900">{resolution.reason}</legend>
      {resolution.candidates.map((candidate) => (
        <label key={candidate.id} className="flex items-center gap-2">
          <input type="radio" name={`production-${resolution.ledgerAccountId}`} value={candidate.id} checked={choice === candidate.id} onChange={() => onChoose(candidate.id)} />
          <span>
            {accountLabel(candidate)} <span className="text-slate-600">({FOUND_BY[candidate.matchedBy]})</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
