import "server-only";
import { afterResponse } from "@/lib/http/after-response";
import { processPendingWebhookEvents } from "@/lib/quickbooks/process-webhook-events";
import { describeError } from "@/lib/describe-error";

const WEBHOOK_BATCH = 500;
const PASS_GAP_MS = 50;
let running: Promise<unknown> | null = null;
let again = false;

/**
 * Processes the webhook queue now, in this process, after the delivery was answered. One pass at a time here; a
 * request during a pass asks for one more. Retries and events left by a crashed instance are picked up by the
 * scheduled sweep (lib/jobs/queue.ts), since the queue's state lives in PostgreSQL.
 */
export function requestWebhookProcessing(): Promise<unknown> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      const outcome = await processPendingWebhookEvents({ limit: WEBHOOK_BATCH }).catch((error: unknown) => {
        console.error(`[webhooks] processing pass failed: ${describeError(error)}`);
        return null;
      });
      // A full batch means more may be waiting: drain the queue instead of leaving it to the next delivery.
      const full = outcome !== null && outcome.processed + outcome.retried + outcome.dead >= WEBHOOK_BATCH;
      if (full) again = true;
      // Under a stream of deliveries, let the next pass gather what arrives meanwhile: one pass for many deliveries
      // costs a few statements, one pass per delivery would cost as much as storing it. Nobody waits on this.
      else if (again) await new Promise((resolve) => setTimeout(resolve, PASS_GAP_MS));
    } while (again);
  })().finally(() => {
    running = null;
    // A request that asked between the last check and here would otherwise wait for the next delivery.
    if (again) void requestWebhookProcessing();
  });
  return running;
}

/**
 * What a delivery's request does once its events are stored: a processing pass after the answer. While a pass runs
 * in this process, the request only asks it to go round once more: one `after()` per pass, not one per delivery
 * (each would hold its request's context open until the pass ends, hundreds of them under load).
 */
export function processWebhooksAfterResponse(): void {
  if (running) {
    again = true;
    return;
  }
  afterResponse(requestWebhookProcessing);
}

/** Resolves when no processing pass is running in this process (tests wait for the pass a delivery started). */
export async function webhookProcessingIdle(): Promise<void> {
  while (running) await running;
}
