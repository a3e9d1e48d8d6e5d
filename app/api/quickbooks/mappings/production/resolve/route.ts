// POST /api/quickbooks/mappings/production/resolve – read the production company's chart and resolve each mapping in
// it by the sandbox account's number, then its name; stores nothing of the mappings (confirm does).
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { resolveInProduction } from "@/lib/ledger/resolve-in-production";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.manage");
    return privateJson(await resolveInProduction({ tenantId: actor.tenantId, actorUserId: actor.userId }));
  });
}
