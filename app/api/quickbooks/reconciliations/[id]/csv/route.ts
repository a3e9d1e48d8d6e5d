// GET /api/quickbooks/reconciliations/{id}/csv – the reconciliation as CSV (recorded in the access history).
import { requestMetaFrom } from "@/lib/audit/record";
import { auditActorOf, requireActor } from "@/lib/auth/guard";
import { parseId, type IdRouteContext } from "@/lib/http/path-id";
import { respond } from "@/lib/http/respond";
import { reconciliationNotFound } from "@/lib/ledger/errors";
import { exportReconciliation } from "@/lib/ledger/export-reconciliation";
import { csvExportResponse } from "@/lib/logs/export-response";

export async function GET(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    const reconciliationId = parseId((await params).id, reconciliationNotFound);
    return csvExportResponse(actor.tenantId, async () => {
      const { filename, csv } = await exportReconciliation({ tenantId: actor.tenantId, reconciliationId, ...auditActorOf(actor), meta: requestMetaFrom(req) });
      return { filename, body: csv };
    });
  });
}
