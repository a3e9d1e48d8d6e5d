// PUT /api/quickbooks/reconciliations/{id}/lines/{lineId} – explain a difference ({ explanation: "" } takes it back).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { parseId } from "@/lib/http/path-id";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { reconciliationLineNotFound } from "@/lib/ledger/errors";
import { explainReconciliationLine } from "@/lib/ledger/explain-reconciliation-line";
import { explanationInput } from "@/lib/ledger/rules/inputs";

export async function PUT(req: Request, { params }: { params: Promise<{ id: string; lineId: string }> }) {
  return respond(req, async () => {
    const actor = await requireActor(req, "reconciliation.manage");
    const { id, lineId } = await params;
    const [reconciliationId, line] = [parseId(id, reconciliationLineNotFound), parseId(lineId, reconciliationLineNotFound)];
    const { explanation } = explanationInput.parse(await readJson(req));
    const updated = await explainReconciliationLine({ tenantId: actor.tenantId, reconciliationId, lineId: line, explanation, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ line: updated });
  });
}
