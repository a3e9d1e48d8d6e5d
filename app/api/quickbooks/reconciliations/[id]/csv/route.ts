// GET /api/quickbooks/reconciliations/{id}/csv – the reconciliation as CSV (recorded in the access history).
import { requestMetaFrom } from "@/lib/audit/record";
import { auditActorOf, requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { respond } from "@/lib/http/respond";
import { idFrom } from "@/lib/ledger/inputs";
import { exportReconciliation } from "@/lib/ledger/reconciliation";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.read");
    const reconciliationId = idFrom((await params).id);
    if (reconciliationId === null) throw new AppError("not_found", 404, "That reconciliation does not exist.");
    const { filename, csv } = await exportReconciliation({ tenantId: actor.tenantId, reconciliationId, ...auditActorOf(actor), meta: requestMetaFrom(req) });
    return new Response(csv, {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" },
    });
  });
}
