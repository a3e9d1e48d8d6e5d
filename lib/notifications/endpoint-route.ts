import "server-only";
import { requestMetaFrom, type RequestMeta } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { parseUuid, type IdRouteContext } from "@/lib/http/path-id";
import { privateJson, respond } from "@/lib/http/respond";
import { endpointNotFound } from "./endpoints";

/** What an action on one of the tenant's endpoints gets from its route: who acts, on which endpoint. */
export interface EndpointActionInput {
  tenantId: string;
  actorUserId: string;
  meta: RequestMeta;
  endpointId: string;
}

/**
 * The routes under /api/quickbooks/notifications/endpoints/{id}: the admin's session and role, the endpoint id from the
 * path (404 when it is not one), then the action, whose result is answered as JSON.
 */
export function endpointRoute(act: (input: EndpointActionInput) => Promise<unknown>, init?: ResponseInit) {
  return (req: Request, { params }: IdRouteContext) =>
    respond(req, async () => {
      const actor = await requireActor(req, "notifications.endpoints.manage");
      const endpointId = parseUuid((await params).id, endpointNotFound);
      return privateJson(await act({ tenantId: actor.tenantId, actorUserId: actor.userId, meta: requestMetaFrom(req), endpointId }), init);
    });
}
