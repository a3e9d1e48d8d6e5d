// POST /api/quickbooks/api-keys/{id}/rotate – issue a replacement key; the old one works until the chosen grace
// period ends (admins, signed in). The answer holds the new key, shown this once.
// Audit policy: api_key.rotated, in the same transaction.
import { requestMetaFrom } from "@/lib/audit/record";
import { apiKeyRotateSchema } from "@/lib/api-keys/api-key-rules";
import { apiKeyNotFound } from "@/lib/api-keys/revoke-api-key";
import { rotateApiKey } from "@/lib/api-keys/rotate-api-key";
import { requireActor } from "@/lib/auth/guard";
import { parseUuid, type IdRouteContext } from "@/lib/http/path-id";
import { privateJson, respond } from "@/lib/http/respond";
import { readJson } from "@/lib/http/read-json";

export async function POST(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "apikeys.manage");
    const [apiKeyId, input] = [parseUuid((await params).id, apiKeyNotFound), apiKeyRotateSchema.parse(await readJson(req))];
    const rotated = await rotateApiKey({
      tenantId: actor.tenantId,
      actorUserId: actor.userId,
      actorEmail: actor.email,
      apiKeyId,
      input,
      meta: requestMetaFrom(req),
    });
    return privateJson(rotated, { status: 201 });
  });
}
