// GET /api/quickbooks/status – the connection, the four steps, the checklist and the indicator.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "quickbooks.status.read");
    return privateJson(await getConnectionStatus(actor.tenantId));
  });
}
