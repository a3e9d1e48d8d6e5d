// GET /api/quickbooks/reconciliations/{id} – one reconciliation with its lines and totals.
import { requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { privateJson, respond } from "@/lib/http/respond";
import { idFrom } from "@/lib/ledger/inputs";
import { readReconciliation } from "@/lib/ledger/reconciliation";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.read");
    const id = idFrom((await params).id);
    const read = id === null ? null : await readReconciliation(actor.tenantId, id);
    if (!read) throw new AppError("not_found", 404, "That reconciliation does not exist.");
    return privateJson(read);
  });
}
