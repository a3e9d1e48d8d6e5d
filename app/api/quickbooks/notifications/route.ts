// GET /api/quickbooks/notifications – the signed-in member's inbox for the active tenant: { items, unread }.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { listInbox } from "@/lib/notifications/inbox";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "notifications.read");
    return privateJson(await listInbox({ tenantId: actor.tenantId, userId: actor.userId, role: actor.role }));
  });
}
