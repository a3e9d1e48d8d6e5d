// GET /api/quickbooks/reconciliations/{id} – one reconciliation with its lines and totals.
import { requireActor } from "@/lib/auth/guard";
import { parseId, type IdRouteContext } from "@/lib/http/path-id";
import { privateJson, respond } from "@/lib/http/respond";
import { reconciliationNotFound } from "@/lib/ledger/errors";
import { readReconciliation } from "@/lib/ledger/read-reconciliation";

export async function GET(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    const read = await readReconciliation(actor.tenantId, parseId((await params).id, reconciliationNotFound));
    if (!read) throw reconciliationNotFound();
    return privateJson(read);
  });
}
