// GET /api/quickbooks/sync/runs.csv – the tenant's sync runs as CSV (the run log, for auditors).
import { requireActor } from "@/lib/auth/guard";
import { respond } from "@/lib/http/respond";
import { listSyncRuns } from "@/lib/ledger/list-sync-runs";
import { syncRunsCsv } from "@/lib/ledger/rules/sync-runs-csv";

export async function GET(req: Request) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.read");
    const csv = syncRunsCsv(await listSyncRuns(actor.tenantId, 10_000));
    return new Response(csv, {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="sync-runs.csv"', "cache-control": "no-store" },
    });
  });
}
