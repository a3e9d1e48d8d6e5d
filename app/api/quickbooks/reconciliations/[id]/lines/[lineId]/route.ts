// PUT /api/quickbooks/reconciliations/{id}/lines/{lineId} – explain a difference ({ explanation: "" } takes it back).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { explanationInput, idFrom } from "@/lib/ledger/inputs";
import { explainLine } from "@/lib/ledger/reconciliation";

export async function PUT(req: Request, { params }: { params: Promise<{ id: string; lineId: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "reconciliation.manage");
    const { id, lineId } = await params;
    const [reconciliationId, line] = [idFrom(id), idFrom(lineId)];
    if (reconciliationId === null || line === null) throw new AppError("not_found", 404, "That reconciliation line does not exist.");
    const { explanation } = explanationInput.parse(await readJson(req));
    const updated = await explainLine({ tenantId: actor.tenantId, reconciliationId, lineId: line, explanation, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ line: updated });
  });
}
