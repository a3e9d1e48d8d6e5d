import "server-only";
import { describeError } from "@/lib/describe-error";
import { runNotificationSender } from "./send-notifications";

// The notification sender runs in every app process, every couple of seconds, apart from the background jobs (which a
// deployment, or the browser tests, may turn off: notifications still go out). Each pass claims its own events and
// deliveries (skip locked, leases), so instances never send one message twice between them. Never overlaps itself.

export const SENDER_INTERVAL_MS = 2_000;

const globalForSender = globalThis as unknown as { __qbcNotificationSender?: { stop: () => void } };

export function startNotificationSender(intervalMs = SENDER_INTERVAL_MS): void {
  if (globalForSender.__qbcNotificationSender) return;
  let running = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    runNotificationSender()
      .catch((error: unknown) => console.error(`Notification sender: ${describeError(error)}`))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  globalForSender.__qbcNotificationSender = {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

export function stopNotificationSender(): void {
  globalForSender.__qbcNotificationSender?.stop();
  globalForSender.__qbcNotificationSender = undefined;
}
