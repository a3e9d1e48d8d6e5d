import "server-only";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { auditEvents } from "@/db/schema";

/**
 * Password guessing is slowed per email and per client address: past `maxFailuresPerEmail` failed sign-ins for one
 * email, or `maxFailuresPerIp` from one address, within `windowMs`, further attempts are refused (without checking
 * the password) until enough of those failures are older than the window. A sliding window: nothing resets it, so
 * one person's success never clears anyone's count. The email need not exist: an unknown email is counted and
 * refused the same way, so the answer says nothing about which accounts exist.
 */
export interface SignInThrottlePolicy {
  windowMs: number;
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
}

export const SIGN_IN_THROTTLE: SignInThrottlePolicy = {
  windowMs: 15 * 60 * 1000,
  maxFailuresPerEmail: 5,
  maxFailuresPerIp: 30,
};

export type FailureKey = { email: string } | { ip: string };

/**
 * Where failed sign-ins are counted, shared by every app instance. Today the audit trail itself
 * (`auditTrailFailureStore`); a dedicated table can replace it behind this interface.
 */
export interface SignInFailureStore {
  /** Times of failed sign-ins for the key after `since`, newest first, at most `limit` of them. */
  recentFailures(key: FailureKey, since: Date, limit: number): Promise<Date[]>;
  /** Called after each failed sign-in, once its `auth.sign_in_failed` audit event is written. */
  recordFailure(attempt: { email: string; ip: string | null; at: Date }): Promise<void>;
}

/**
 * Counts the `auth.sign_in_failed` audit events (details.email, ip). Those rows have no tenant, so the query is a
 * range scan of the `(tenant_id, outcome, created_at desc)` index over the window (tenant_id IS NULL, failures)
 * filtered by action and key; it never reads outside the window. The audit event is the record, so `recordFailure` has nothing to add.
 */
export function auditTrailFailureStore(executor: () => Executor = db): SignInFailureStore {
  return {
    async recentFailures(key, since, limit) {
      const match = "email" in key ? sql`${auditEvents.details}->>'email' = ${key.email}` : eq(auditEvents.ip, key.ip);
      const rows = await executor()
        .select({ at: auditEvents.createdAt })
        .from(auditEvents)
        .where(
          and(
            isNull(auditEvents.tenantId),
            eq(auditEvents.outcome, "failure"),
            gt(auditEvents.createdAt, since),
            eq(auditEvents.action, "auth.sign_in_failed"),
            match,
          ),
        )
        .orderBy(desc(auditEvents.createdAt))
        .limit(limit);
      return rows.map((r) => r.at);
    },
    async recordFailure() {},
  };
}

export type ThrottleDecision = { throttled: false } | { throttled: true; limitedBy: "email" | "ip"; retryAfterSeconds: number };

/** Pure: from the recent failures (newest first), whether to refuse now, and for how long. */
export function decideThrottle(
  failures: { email: Date[]; ip: Date[] },
  now: Date,
  policy: SignInThrottlePolicy = SIGN_IN_THROTTLE,
): ThrottleDecision {
  // Refused until the max-th newest failure leaves the window (then one more attempt is allowed).
  const until = (times: Date[], max: number) => {
    const pivot = times.length >= max ? times[max - 1] : undefined;
    return pivot ? pivot.getTime() + policy.windowMs : null;
  };
  const byEmail = until(failures.email, policy.maxFailuresPerEmail);
  const byIp = until(failures.ip, policy.maxFailuresPerIp);
  const candidates = [
    ...(byEmail !== null && byEmail > now.getTime() ? [{ limitedBy: "email" as const, at: byEmail }] : []),
    ...(byIp !== null && byIp > now.getTime() ? [{ limitedBy: "ip" as const, at: byIp }] : []),
  ].sort((a, b) => b.at - a.at);
  const latest = candidates[0];
  if (!latest) return { throttled: false };
  return { throttled: true, limitedBy: latest.limitedBy, retryAfterSeconds: Math.max(1, Math.ceil((latest.at - now.getTime()) / 1000)) };
}

/** "Too many sign-in attempts. Try again in 12 minutes." */
export function throttledMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many sign-in attempts. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
}
