import "server-only";
import { and, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { db } from "@/db";
import { tokenRevocations } from "@/db/schema";
import { attemptRevocation } from "@/lib/quickbooks/attempt-revocation";
import { MAX_REVOCATION_ATTEMPTS, REVOCATION_BACKOFF_BASE_MS, REVOCATION_BACKOFF_MAX_MS } from "./due-rules";
import { describeError } from "@/lib/describe-error";

/**
 * Retries the revocations Intuit has not confirmed (Intuit was down when the tenant disconnected): each one at most
 * MAX_REVOCATION_ATTEMPTS times, further apart each time (revocationBackoffMs). A confirmed revocation erases the
 * sealed token it held (attemptRevocation does that).
 *
 * Rows are claimed before they are attempted: one UPDATE moves `last_attempt_at` to now on rows picked with
 * FOR UPDATE SKIP LOCKED, so two instances sweeping together take disjoint rows, and a claimed row is not due again
 * until its backoff has passed.
 */

export interface RevocationSweepResult {
  examined: number;
  revoked: number;
  failed: number;
}

const DEFAULT_LIMIT = 50;
const r = tokenRevocations;

// revocationBackoffMs (due-rules.ts) in SQL: min(base · 2^max(attempts − 1, 0), max) milliseconds.
const backoffSql = sql`least(${sql.raw(String(REVOCATION_BACKOFF_BASE_MS))} * power(2, greatest(${r.attempts} - 1, 0)), ${sql.raw(String(REVOCATION_BACKOFF_MAX_MS))}) * interval '1 millisecond'`;

export async function runRevocationRetrySweep(options: { now?: Date; limit?: number } = {}): Promise<RevocationSweepResult> {
  const now = options.now ?? new Date();
  const due = db()
    .select({ id: r.id })
    .from(r)
    .where(
      and(
        inArray(r.status, ["pending", "failed"]),
        isNotNull(r.tokenEnc),
        lt(r.attempts, MAX_REVOCATION_ATTEMPTS),
        sql`coalesce(${r.lastAttemptAt}, ${r.createdAt}) <= ${now.toISOString()}::timestamptz - ${backoffSql}`,
      ),
    )
    .orderBy(sql`coalesce(${r.lastAttemptAt}, ${r.createdAt})`)
    .limit(options.limit ?? DEFAULT_LIMIT)
    .for("update", { skipLocked: true });
  const claimed = await db().update(r).set({ lastAttemptAt: now }).where(inArray(r.id, due)).returning({ id: r.id });

  const result: RevocationSweepResult = { examined: claimed.length, revoked: 0, failed: 0 };
  for (const { id } of claimed) {
    try {
      const outcome = await attemptRevocation(id, null);
      result[outcome.status] += 1;
    } catch (error) {
      console.error(`Revocation retry ${id} failed: ${describeError(error)}`);
      result.failed += 1;
    }
  }
  return result;
}
