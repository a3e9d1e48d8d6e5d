// Intuit's per-realm throttling of the Accounting API (intuit.md §4): a sliding window of arrivals and a cap on
// requests in flight. The numbers come from lib/intuit/limits.ts, the same definition the app's limiter uses, so the
// two cannot drift apart. Plain bookkeeping on the emulator's clock; context.ts turns a refusal into Intuit's 429.

import { z } from "zod";
import { INTUIT_REALM_LIMITS, type RealmLimits } from "../../lib/intuit/limits";

export interface EmulatorLimits extends RealmLimits {
  /** Seconds sent in a Retry-After header with each 429. null (the default): none, as Intuit documents none. */
  retryAfterSeconds: number | null;
}

export interface RealmLimitStats {
  /** Every request that arrived, accepted or throttled. */
  requests: number;
  accepted: number;
  throttled: number;
  /** The most accepted requests ever seen inside one sliding window, counted at each arrival. */
  maxInWindow: number;
  /** The most accepted requests ever in flight at once. */
  maxConcurrent: number;
}

export const DEFAULT_EMULATOR_LIMITS: Readonly<EmulatorLimits> = Object.freeze({ ...INTUIT_REALM_LIMITS, retryAfterSeconds: null });

// Strict because every field is optional: a misspelt field would otherwise change nothing and pass unnoticed.
export const limitsPatchSchema = z.strictObject({
  requestsPerWindow: z.number().int().positive().optional(),
  windowMs: z.number().int().positive().optional(),
  concurrent: z.number().int().positive().optional(),
  retryAfterSeconds: z.number().int().min(0).nullable().optional(),
});

export type LimitsPatch = z.input<typeof limitsPatchSchema>;

/** An accepted request must be released once its answer exists; a refused one gets Intuit's 429. */
export type Admission = { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number | null };

interface RealmRecord {
  /** Arrival times (epoch ms) of the accepted requests still inside the window. */
  arrivals: number[];
  inFlight: number;
  stats: RealmLimitStats;
}

export function createRealmLimiter(now: () => number) {
  let limits: EmulatorLimits = { ...DEFAULT_EMULATOR_LIMITS };
  let realms = new Map<string, RealmRecord>();

  function recordOf(realmId: string): RealmRecord {
    let record = realms.get(realmId);
    if (!record) {
      record = { arrivals: [], inFlight: 0, stats: { requests: 0, accepted: 0, throttled: 0, maxInWindow: 0, maxConcurrent: 0 } };
      realms.set(realmId, record);
    }
    return record;
  }

  /** Counts one arriving request against its realm. Only accepted requests occupy the window and the in-flight count. */
  function admit(realmId: string): Admission {
    const realm = recordOf(realmId);
    const at = now();
    // A filter, not a shift from the front: the clock may have been moved back (advanceTime), so arrivals need not be sorted.
    realm.arrivals = realm.arrivals.filter((arrival) => arrival > at - limits.windowMs);
    realm.stats.requests += 1;
    if (realm.arrivals.length >= limits.requestsPerWindow || realm.inFlight >= limits.concurrent) {
      realm.stats.throttled += 1;
      return { ok: false, retryAfterSeconds: limits.retryAfterSeconds };
    }
    realm.arrivals.push(at);
    realm.inFlight += 1;
    realm.stats.accepted += 1;
    realm.stats.maxInWindow = Math.max(realm.stats.maxInWindow, realm.arrivals.length);
    realm.stats.maxConcurrent = Math.max(realm.stats.maxConcurrent, realm.inFlight);
    let released = false;
    return {
      ok: true,
      // Idempotent, and bound to this record: a request still in flight across a reset() cannot skew the new counts.
      release() {
        if (released) return;
        released = true;
        realm.inFlight -= 1;
      },
    };
  }

  /** Changes the given limits until reset(). Throws a ZodError for a value the control endpoint would answer 400 to. */
  function setLimits(patch: LimitsPatch): EmulatorLimits {
    const parsed = limitsPatchSchema.parse(patch);
    const given = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    limits = { ...limits, ...given };
    return { ...limits };
  }

  return {
    admit,
    setLimits,
    limits: (): EmulatorLimits => ({ ...limits }),
    stats: (): Record<string, RealmLimitStats> => Object.fromEntries([...realms].map(([realmId, record]) => [realmId, { ...record.stats }])),
    reset(): void {
      limits = { ...DEFAULT_EMULATOR_LIMITS };
      realms = new Map();
    },
  };
}
