// GET /api/quickbooks/api-keys – the active tenant's API keys (never their secrets).
// POST /api/quickbooks/api-keys – create one; the answer holds the key, shown this once (admins, signed in).
// Audit policy: creation writes api_key.created in the same transaction; listing is not sensitive (no secrets).
import { requestMetaFrom } from "@/lib/audit/record";
import { apiKeyCreateSchema } from "@/lib/api-keys/api-key-rules";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { listApiKeys } from "@/lib/api-keys/list-api-keys";
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { readJson } from "@/lib/http/read-json";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "apikeys.manage");
    return privateJson({ apiKeys: await listApiKeys({ tenantId: actor.tenantId }) });
  });
}

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "apikeys.manage");
    const input = apiKeyCreateSchema.parse(await readJson(req));
    const created = await createApiKey({ tenantId: actor.tenantId, actorUserId: actor.userId, actorEmail: actor.email, input, meta: requestMetaFrom(req) });
    return privateJson(created, { status: 201 });
  });
}
