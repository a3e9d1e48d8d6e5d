// POST /api/quickbooks/webhooks/test – "Send test webhook": the Intuit emulator sends a signed event to this app.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { sendTestWebhook } from "@/lib/quickbooks/send-test-webhook";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "webhooks.manage");
    return privateJson(await sendTestWebhook(actor.tenantId, actor.userId));
  });
}
