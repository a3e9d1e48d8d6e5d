// GET /api/quickbooks/sync/runs.csv – the tenant's sync runs as CSV (the run log, for auditors).
import { requireActor } from "@/lib/auth/guard";
import { respond } from "@/lib/http/respond";
import { listSyncRuns } from "@/lib/ledger/list-sync-runs";
import { syncRunsCsv } from "@/lib/ledger/rules/sync-runs-csv";
import { csvExportResponse } from "@/lib/logs/export-response";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    return csvExportResponse(actor.tenantId, async () => ({ filename: "sync-runs.csv", body: syncRunsCsv(await listSyncRuns(actor.tenantId, 10_000)) }));
  });
}
