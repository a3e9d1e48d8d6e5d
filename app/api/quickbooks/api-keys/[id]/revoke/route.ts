// POST /api/quickbooks/api-keys/{id}/revoke – the key stops working at once (admins, signed in).
// Audit policy: api_key.revoked, in the same transaction.
import { requestMetaFrom } from "@/lib/audit/record";
import { apiKeyNotFound, revokeApiKey } from "@/lib/api-keys/revoke-api-key";
import { requireActor } from "@/lib/auth/guard";
import { parseUuid, type IdRouteContext } from "@/lib/http/path-id";
import { privateJson, respond } from "@/lib/http/respond";

export async function POST(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "apikeys.manage");
    const apiKeyId = parseUuid((await params).id, apiKeyNotFound);
    return privateJson({ apiKey: await revokeApiKey({ tenantId: actor.tenantId, actorUserId: actor.userId, apiKeyId, meta: requestMetaFrom(req) }) });
  });
}
