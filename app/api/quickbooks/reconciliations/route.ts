// GET  /api/quickbooks/reconciliations – the tenant's reconciliations, newest first.
// POST /api/quickbooks/reconciliations – reconcile AWRA's balances against QuickBooks' from the latest sync
//      (body { environment?, period?: "2026-11" }).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readOptionalJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { createReconciliation } from "@/lib/ledger/create-reconciliation";
import { listReconciliations } from "@/lib/ledger/list-reconciliations";
import { readReconciliation } from "@/lib/ledger/read-reconciliation";
import { reconciliationInput } from "@/lib/ledger/rules/inputs";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    return privateJson({ reconciliations: await listReconciliations(actor.tenantId) });
  });
}

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "reconciliation.manage");
    const input = reconciliationInput.parse(await readOptionalJson(req));
    const created = await createReconciliation({ tenantId: actor.tenantId, ...input, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson(await readReconciliation(actor.tenantId, created.id), { status: 201 });
  });
}
