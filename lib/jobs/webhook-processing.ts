import "server-only";
import { processPendingWebhookEvents } from "@/lib/quickbooks/process-webhook-events";

const WEBHOOK_BATCH = 500;
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
        console.error(`[webhooks] processing pass failed: ${error instanceof Error ? error.message : "unknown error"}`);
        return null;
      });
      // A full batch means more may be waiting: drain the queue instead of leaving it to the next delivery.
      if (outcome && outcome.processed + outcome.retried + outcome.dead >= WEBHOOK_BATCH) again = true;
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

/** Resolves when no processing pass is running in this process (tests wait for the pass a delivery started). */
export async function webhookProcessingIdle(): Promise<void> {
  while (running) await running;
}
