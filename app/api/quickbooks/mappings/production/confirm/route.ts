// POST /api/quickbooks/mappings/production/confirm – store the production account confirmed for each mapping
// (body { realmId, choices: [{ ledgerAccountId, qboAccountId }] }, each one among those the resolution offered).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { productionConfirmationInput } from "@/lib/ledger/rules/inputs";
import { confirmProductionAccounts } from "@/lib/ledger/resolve-in-production";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.manage");
    const input = productionConfirmationInput.parse(await readJson(req));
    return privateJson(await confirmProductionAccounts({ tenantId: actor.tenantId, ...input, actorUserId: actor.userId, meta: requestMetaFrom(req) }));
  });
}
