// GET /api/quickbooks/mappings – the tenant's AWRA accounts with their QuickBooks mappings and the latest validations.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { getMappingOverview } from "@/lib/ledger/get-mapping-overview";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    return privateJson(await getMappingOverview({ tenantId: actor.tenantId }));
  });
}
