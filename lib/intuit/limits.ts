// Intuit's per-realm limits for the Accounting API (intuit.md §4): 500 requests a minute and 10 concurrent requests
// per realm per app. One definition for the app's limiter (lib/quickbooks/realm-limiter.ts) and the emulator, which
// enforces the same numbers and answers 429 like Intuit when they are exceeded.

export interface RealmLimits {
  /** Requests allowed to start in any sliding window of `windowMs`. */
  requestsPerWindow: number;
  windowMs: number;
  /** Requests allowed in flight at once. */
  concurrent: number;
}

export const INTUIT_REALM_LIMITS: RealmLimits = Object.freeze({ requestsPerWindow: 500, windowMs: 60_000, concurrent: 10 });

/**
 * The app counts a request when it asks for a permit (database clock); Intuit counts it when it arrives. A request that
 * takes longer on the way than the one a window before it (a busy event loop, a slow network) would land in Intuit's
 * window too, so the app's own window is longer than Intuit's: 2 % and a second (62.2 s for Intuit's minute).
 */
export function appWindowMs(limits: RealmLimits): number {
  return Math.ceil(limits.windowMs * 1.02) + 1_000;
}
