// POST /api/quickbooks/disconnect – revoke at Intuit, wipe tokens locally, mark disconnected.
// Calling it again retries a revocation that Intuit did not confirm.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { disconnectConnection } from "@/lib/quickbooks/disconnect-connection";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "quickbooks.disconnect");
    return privateJson(await disconnectConnection({ tenantId: actor.tenantId, actorUserId: actor.userId, meta: requestMetaFrom(req) }));
  });
}
