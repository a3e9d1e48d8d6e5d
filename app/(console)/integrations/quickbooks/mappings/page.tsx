import type { Metadata } from "next";
import Link from "next/link";
import { serialized } from "@/components/quickbooks/ledger-api";
import { MappingsConsole } from "@/components/quickbooks/MappingsConsole";
import { requirePageActor } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { getMappingOverview } from "@/lib/ledger/get-mapping-overview";
import { listSyncRuns } from "@/lib/ledger/list-sync-runs";

export const metadata: Metadata = { title: "Account mappings" };

export default async function MappingsPage() {
  const actor = await requirePageActor("mappings.read");
  const [overview, runs] = await Promise.all([getMappingOverview({ tenantId: actor.tenantId }), listSyncRuns(actor.tenantId)]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Account mappings</h1>
        <p className="mt-1 text-sm text-slate-600">
          Which QuickBooks account each of {actor.tenantName}&apos;s AWRA accounts posts to. Validate the mappings against the sandbox company
          before syncing production, then sync the QuickBooks balances and{" "}
          <Link href="/integrations/quickbooks/reconciliation" className="text-blue-700 underline">
            reconcile
          </Link>{" "}
          them.
        </p>
      </div>
      <MappingsConsole
        tenantId={actor.tenantId}
        initialOverview={serialized(overview)}
        initialRuns={serialized(runs)}
        permissions={{ manage: can(actor.role, "mappings.manage"), sync: can(actor.role, "sync.run") }}
      />
    </div>
  );
}
