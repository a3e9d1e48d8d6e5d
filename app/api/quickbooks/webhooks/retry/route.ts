// POST /api/quickbooks/webhooks/retry – put the tenant's dead-lettered webhook events back in the queue.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { afterResponse } from "@/lib/http/after-response";
import { requestWebhookProcessing } from "@/lib/jobs/webhook-processing";
import { retryDeadWebhookEvents } from "@/lib/quickbooks/process-webhook-events";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "webhooks.manage");
    const requeued = await retryDeadWebhookEvents(actor.tenantId, actor.userId);
    if (requeued > 0) afterResponse(requestWebhookProcessing);
    return privateJson({ requeued });
  });
}
