// When a failed delivery is tried again (pure). Outbound webhooks back off over about a day, as Standard Webhooks
// senders do (1 min, 5 min, 30 min, 2 h, 6 h, then 15 h: the last attempt about 24 h after the first), then the
// delivery is marked failed and shown in the endpoint's log. An email is tried for about an hour: an SMTP server that
// is down longer than that is an operator's problem, and a day-old "reconnect now" helps nobody.

const WEBHOOK_DELAYS_S = [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 15 * 3600];
const EMAIL_DELAYS_S = [30, 2 * 60, 10 * 60, 45 * 60];

export type Channel = "email" | "webhook";

/** Attempts a delivery gets in all. */
export function maxAttempts(channel: Channel): number {
  return (channel === "webhook" ? WEBHOOK_DELAYS_S : EMAIL_DELAYS_S).length + 1;
}

/** When attempt number `attempts + 1` is due after `attempts` failed at `now`; null: no attempt left. */
export function nextAttemptAt(channel: Channel, attempts: number, now: Date): Date | null {
  const delays = channel === "webhook" ? WEBHOOK_DELAYS_S : EMAIL_DELAYS_S;
  const delay = delays[attempts - 1];
  return delay === undefined ? null : new Date(now.getTime() + delay * 1000);
}
