// Intuit ends every authorization five years after it was first given, whatever renewals happen: the product warns
// 30 and 7 days before (pure). One warning per threshold and expiry date: the dedupe key names both, so a reconnect
// (which starts a new five years) warns again when its own time comes.

export const HARD_EXPIRY_WARNING_DAYS = [30, 7] as const;
const DAY_MS = 86_400_000;

/** The warning due for an expiry at `now`, the tightest threshold crossed, or null when none (or already expired). */
export function hardExpiryWarning(expiresAt: Date, now: Date): { daysLeft: number; threshold: number; dedupeKey: (connectionId: string) => string } | null {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return null;
  const threshold = [...HARD_EXPIRY_WARNING_DAYS].sort((a, b) => a - b).find((days) => left <= days * DAY_MS);
  if (threshold === undefined) return null;
  return { daysLeft: Math.ceil(left / DAY_MS), threshold, dedupeKey: (connectionId) => `hard-expiry:${connectionId}:${threshold}:${expiresAt.toISOString()}` };
}
