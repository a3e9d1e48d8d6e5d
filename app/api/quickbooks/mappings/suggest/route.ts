// POST /api/quickbooks/mappings/suggest – map each unmapped AWRA account to the QuickBooks account of the same name and type.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { applySuggestions } from "@/lib/ledger/apply-suggestions";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.manage");
    const mapped = await applySuggestions({ tenantId: actor.tenantId, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ mapped });
  });
}
