// POST /api/quickbooks/webhooks – Intuit's webhook endpoint: signature first, store once, answer 200, process after.
import { clientIp } from "@/lib/http/client-ip";
import { respond } from "@/lib/http/respond";
import { processWebhooksAfterResponse } from "@/lib/jobs/webhook-processing";
import { readWebhookBody } from "@/lib/quickbooks/read-webhook-body";
import { receiveWebhook } from "@/lib/quickbooks/receive-webhook";

export async function POST(req: Request) {
  return respond(req, async () => {
    const body = await readWebhookBody(req);
    const answer = await receiveWebhook({ body, signature: req.headers.get("intuit-signature"), contentType: req.headers.get("content-type"), sourceIp: clientIp(req.headers) });
    if (answer.enqueued) processWebhooksAfterResponse();
    return Response.json(answer.body, { status: answer.status });
  });
}
