// PATCH /api/quickbooks/notifications/endpoints/{id} – change an endpoint's URL, description, event types or
// enabled switch; DELETE – remove it (its delivery log goes with it).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { parseUuid, type IdRouteContext } from "@/lib/http/path-id";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { endpointRoute } from "@/lib/notifications/endpoint-route";
import { deleteEndpoint, endpointNotFound, updateEndpoint } from "@/lib/notifications/endpoints";
import { endpointPatch } from "@/lib/notifications/inputs";

export async function PATCH(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "notifications.endpoints.manage");
    const patch = endpointPatch.parse(await readJson(req));
    const endpointId = parseUuid((await params).id, endpointNotFound);
    return privateJson({ endpoint: await updateEndpoint({ tenantId: actor.tenantId, actorUserId: actor.userId, meta: requestMetaFrom(req), endpointId, patch }) });
  });
}

export const DELETE = endpointRoute(async (input) => {
  await deleteEndpoint(input);
  return { deleted: true };
});
