// POST /api/quickbooks/mappings/suggest – map each unmapped AWRA account to the QuickBooks account of the same name and type.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { applySuggestions } from "@/lib/ledger/mappings";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";

export async function POST(req: Request) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.manage");
    const { environment } = await intuitAppFor(actor.tenantId);
    const mapped = await applySuggestions(actor.tenantId, environment, actor.userId, requestMetaFrom(req));
    return privateJson({ mapped });
  });
}
