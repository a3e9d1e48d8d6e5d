// GET /api/quickbooks/reconciliations/{id}/csv – the reconciliation as CSV (recorded in the access history).
import { recordAudit, requestMetaFrom } from "@/lib/audit/record";
import { auditActorOf, requireActor } from "@/lib/auth/guard";
import { db } from "@/db";
import { AppError } from "@/lib/errors";
import { respond } from "@/lib/http/respond";
import { idFrom } from "@/lib/ledger/inputs";
import { readReconciliation, reconciliationCsv } from "@/lib/ledger/reconciliation";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.read");
    const id = idFrom((await params).id);
    const read = id === null ? null : await readReconciliation(actor.tenantId, id);
    if (!read) throw new AppError("not_found", 404, "That reconciliation does not exist.");
    await recordAudit(db(), {
      tenantId: actor.tenantId,
      ...auditActorOf(actor),
      action: "reconciliation.exported",
      target: `reconciliation:${read.reconciliation.id}`,
      outcome: "success",
      details: { period: read.reconciliation.period, lines: read.lines.length },
      meta: requestMetaFrom(req),
    });
    return new Response(reconciliationCsv(read), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="reconciliation-${read.reconciliation.period}-${read.reconciliation.id}.csv"`,
        "cache-control": "no-store",
      },
    });
  });
}
