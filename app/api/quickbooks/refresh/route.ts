// POST /api/quickbooks/refresh – "Renew token": an immediate token renewal at Intuit.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { renewTokenNow } from "@/lib/quickbooks/renew-token-now";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "quickbooks.refresh");
    return privateJson({ renewed: await renewTokenNow({ tenantId: actor.tenantId, actorUserId: actor.userId }) });
  });
}
