// POST /api/quickbooks/notifications/read – mark inbox events read for the signed-in member
// (body { ids: [n, …] } or { all: true }); answers { unread }.
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { markRead } from "@/lib/notifications/inbox";
import { markReadInput } from "@/lib/notifications/inputs";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "notifications.read");
    const input = markReadInput.parse(await readJson(req));
    return privateJson(await markRead({ tenantId: actor.tenantId, userId: actor.userId, ids: "all" in input ? "all" : input.ids }));
  });
}
