// POST /api/quickbooks/webhooks – Intuit's webhook endpoint: signature first, store once, answer 200, process after.
import { AppError } from "@/lib/errors";
import { readBodyWithLimit } from "@/lib/http/read-body";
import { respond } from "@/lib/http/respond";
import { processWebhooksAfterResponse } from "@/lib/jobs/webhook-processing";
import { receiveWebhook, WEBHOOK_BODY_LIMIT_BYTES } from "@/lib/quickbooks/receive-webhook";
import { recordOversizedDelivery } from "@/lib/quickbooks/store/webhook-deliveries";

export async function POST(req: Request) {
  return respond(async () => {
    let body: Uint8Array;
    try {
      body = await readBodyWithLimit(req, WEBHOOK_BODY_LIMIT_BYTES);
    } catch (error) {
      if (error instanceof AppError && error.status === 413) await recordOversizedDelivery(req.headers.get("content-type"));
      throw error;
    }
    const answer = await receiveWebhook({ body, signature: req.headers.get("intuit-signature"), contentType: req.headers.get("content-type") });
    if (answer.enqueued) processWebhooksAfterResponse();
    return Response.json(answer.body, { status: answer.status });
  });
}
