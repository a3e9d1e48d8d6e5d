import type { Metadata } from "next";
import Link from "next/link";
import { serialized } from "@/components/quickbooks/ledger-api";
import { ReconciliationConsole } from "@/components/quickbooks/ReconciliationConsole";
import { requirePageActor } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { idOrNull } from "@/lib/http/path-id";
import { readAccountingMethod } from "@/lib/ledger/accounting-method";
import { listReconciliations } from "@/lib/ledger/list-reconciliations";
import { readReconciliation } from "@/lib/ledger/read-reconciliation";

export const metadata: Metadata = { title: "Reconciliation" };

/** `?id=` opens that reconciliation; otherwise the latest one. */
export default async function ReconciliationPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor("mappings.read");
  const requested = (await searchParams).id;
  const list = await listReconciliations(actor.tenantId);
  const wanted = typeof requested === "string" ? idOrNull(requested) : null;
  const selectedId = wanted ?? list[0]?.id ?? null;
  const [selected, accountingMethod] = await Promise.all([selectedId === null ? null : readReconciliation(actor.tenantId, selectedId), readAccountingMethod(actor.tenantId)]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Reconciliation</h1>
        <p className="mt-1 text-sm text-slate-600">
          {actor.tenantName}&apos;s AWRA balances against QuickBooks&apos;, account by account, both as of the period&apos;s last day: QuickBooks&apos;
          side from its Trial Balance report for that date (on the tenant&apos;s accounting method; income and expense for the fiscal year to date), read when the
          reconciliation is made. The AWRA ledger must be stated as of that day. The accounts compared are the ones{" "}
          <Link href="/integrations/quickbooks/mappings" className="text-blue-700 underline">
            mapped
          </Link>
          .
        </p>
      </div>
      <ReconciliationConsole
        tenantId={actor.tenantId}
        initialList={serialized(list)}
        initialSelected={selected && serialized(selected)}
        initialAccountingMethod={accountingMethod}
        canManage={can(actor.role, "reconciliation.manage")}
      />
    </div>
  );
}
