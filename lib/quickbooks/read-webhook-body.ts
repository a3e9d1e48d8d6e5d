import "server-only";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { readBodyWithLimit } from "@/lib/http/read-body";
import { WEBHOOK_BODY_LIMIT_BYTES } from "./receive-webhook";
import { recordOversizedDelivery } from "./store/webhook-deliveries";

/**
 * A webhook delivery's bytes, read before anything else (the signature is over the raw body). Beyond
 * WEBHOOK_BODY_LIMIT_BYTES it is refused with 413, and the refusal is written to the delivery log, so an operator
 * sees deliveries that never reached receiveWebhook.
 */
export async function readWebhookBody(req: Request): Promise<Uint8Array> {
  try {
    return await readBodyWithLimit(req, WEBHOOK_BODY_LIMIT_BYTES);
  } catch (error) {
    if (error instanceof AppError && error.status === 413) await recordOversizedDelivery(req.headers.get("content-type"), clientIp(req.headers));
    throw error;
  }
}
