// POST /api/quickbooks/reconciliations/{id}/close – close the month: the reconciliation is stored for good.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { parseId, type IdRouteContext } from "@/lib/http/path-id";
import { privateJson, respond } from "@/lib/http/respond";
import { closeReconciliation } from "@/lib/ledger/close-reconciliation";
import { reconciliationNotFound } from "@/lib/ledger/errors";

export async function POST(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "reconciliation.manage");
    const reconciliationId = parseId((await params).id, reconciliationNotFound);
    const reconciliation = await closeReconciliation({ tenantId: actor.tenantId, reconciliationId, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ reconciliation });
  });
}
