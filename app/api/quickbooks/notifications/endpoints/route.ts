// GET /api/quickbooks/notifications/endpoints – the tenant's outbound webhook endpoints (never their secrets);
// POST – register one (body { url, description?, eventTypes?, enabled? }); answers its secret, this once.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { createEndpoint, listEndpoints } from "@/lib/notifications/endpoints";
import { endpointInput } from "@/lib/notifications/inputs";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "notifications.endpoints.manage");
    return privateJson({ endpoints: await listEndpoints(actor.tenantId) });
  });
}

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "notifications.endpoints.manage");
    const input = endpointInput.parse(await readJson(req));
    return privateJson(await createEndpoint({ tenantId: actor.tenantId, actorUserId: actor.userId, meta: requestMetaFrom(req), ...input }), { status: 201 });
  });
}
