// GET /api/quickbooks/mappings – the tenant's AWRA accounts with their QuickBooks mappings and the latest validations.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { mappingOverview } from "@/lib/ledger/mappings";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";

export async function GET(req: Request) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.read");
    const { environment } = await intuitAppFor(actor.tenantId);
    return privateJson(await mappingOverview(actor.tenantId, environment));
  });
}
