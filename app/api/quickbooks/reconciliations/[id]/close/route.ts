// POST /api/quickbooks/reconciliations/{id}/close – close the month: the reconciliation is stored for good.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { privateJson, respond } from "@/lib/http/respond";
import { idFrom } from "@/lib/ledger/inputs";
import { closeReconciliation } from "@/lib/ledger/reconciliation";

export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "reconciliation.manage");
    const reconciliationId = idFrom((await params).id);
    if (reconciliationId === null) throw new AppError("not_found", 404, "That reconciliation does not exist.");
    const reconciliation = await closeReconciliation({ tenantId: actor.tenantId, reconciliationId, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ reconciliation });
  });
}
