// GET /api/quickbooks/reconciliations/settings – the tenant's accounting method ({ accountingMethod });
// PUT – change it (body { accountingMethod: "Accrual" | "Cash" }), for the reconciliations made from then on.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { readAccountingMethod, setAccountingMethod } from "@/lib/ledger/accounting-method";
import { accountingMethodInput } from "@/lib/ledger/rules/inputs";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    return privateJson({ accountingMethod: await readAccountingMethod(actor.tenantId) });
  });
}

export async function PUT(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "reconciliation.manage");
    const { accountingMethod } = accountingMethodInput.parse(await readJson(req));
    return privateJson({ accountingMethod: await setAccountingMethod({ tenantId: actor.tenantId, accountingMethod, actorUserId: actor.userId, meta: requestMetaFrom(req) }) });
  });
}
