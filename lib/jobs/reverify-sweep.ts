import "server-only";
import { and, asc, gt, isNotNull, isNull, lt, lte, not, or, sql } from "drizzle-orm";
import { quickbooksConnections, type ConnectionStatus } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { verifyConnection } from "@/lib/quickbooks/verify-connection";
import { BACKGROUND_INTERVALS, stretchedIntervals } from "@/lib/usage/rules/governor";
import { CONNECTION_GONE_CODES, selectSweepCandidates, sweepInterval, type SweepCandidate } from "./sweep-candidates";
import { describeError } from "@/lib/describe-error";

/**
 * The re-verify: the sync indicator turns red once a connection has not been proven for 7 days (VERIFY_MAX_AGE_DAYS in
 * readiness.ts, which counts the last successful Verify or API call), so an active connection nobody uses is verified
 * again, through the same use-case as the "Verify connection" button. A successful call already proves a connection
 * (access-token.ts stamps proven_at), and the daily catch-up floor is one, so it runs only for a connection with no
 * successful call for a day and an hour (BACKGROUND_INTERVALS.reverifyAfterMs: the floor comes first), stretched by the
 * governor's factor for its Intuit app (at most 5 days and an hour: slack before 7) — or for one whose last error is
 * newer than its last Verify, which only a Verify clears from the indicator. A connection whose catch-up evidence asked
 * for and not yet tried is left to that catch-up, which proves it: after an outage every connection is asked for one
 * and the catch-up takes them 25 a minute, and a Verify of each one that aged meanwhile would be a second read.
 *
 * - Only the tenant's current environment, reads not blocked by Intuit (sweep-candidates.ts).
 * - A failed Verify is recorded on the connection by verifyConnection (the Verify step and the indicator show it);
 *   the sweep retries it an hour (stretched) after that failure, not every minute.
 * - Least recently proven first, at most `limit` per run; the sweep runs every minute (queue.ts).
 * - When Intuit itself looks unavailable, the run stops: the rest wait for the next minute rather than each one
 *   being marked failed by the same outage.
 * - It is not an API use: it does not mark the connection "in use" (see getUsableAccessToken's `background`).
 */

export const REVERIFY_AFTER_MS = BACKGROUND_INTERVALS.reverifyAfterMs;
export const REVERIFY_RETRY_AFTER_FAILURE_MS = BACKGROUND_INTERVALS.retryAfterFailureMs;
export const DEFAULT_REVERIFY_LIMIT = 25;

export interface ReverifyFacts {
  status: ConnectionStatus;
  hasAccessToken: boolean;
  verifiedAt: Date | null;
  /** The last successful API call (proven_at). */
  provenAt?: Date | null;
  lastErrorAt: Date | null;
  /** The connection is of the environment the tenant uses now. */
  currentEnvironment: boolean;
  /** The governor's stretch factor of the connection's Intuit app; 1 by default. */
  factor?: number;
  /** Evidence asked for a catch-up (catch_up_requested_at), and the last catch-up attempt (catch_up_attempted_at). */
  catchUpRequestedAt?: Date | null;
  catchUpAttemptedAt?: Date | null;
}

/** The rule the selection below states in SQL (a test checks they agree). */
export function isDueForReverify(facts: ReverifyFacts, now: Date): boolean {
  const t = now.getTime();
  const intervals = stretchedIntervals(facts.factor ?? 1);
  if (!(facts.status === "active" && facts.hasAccessToken && facts.currentEnvironment && facts.verifiedAt !== null)) return false;
  const proof = Math.max(facts.verifiedAt.getTime(), facts.provenAt?.getTime() ?? -Infinity);
  const unresolvedError = facts.lastErrorAt !== null && facts.lastErrorAt > facts.verifiedAt;
  // A catch-up asked for and not tried since will prove the connection (the catch-up sweep runs first, oldest first).
  const catchUpQueued = facts.catchUpRequestedAt != null && (facts.catchUpAttemptedAt == null || facts.catchUpAttemptedAt < facts.catchUpRequestedAt);
  return (
    ((t - proof >= intervals.reverifyAfterMs && !catchUpQueued) || unresolvedError) &&
    (facts.lastErrorAt === null || t - facts.lastErrorAt.getTime() >= intervals.retryAfterFailureMs)
  );
}

const c = quickbooksConnections;

/** Active connections of each tenant's current environment due by isDueForReverify, least recently proven first. */
export async function selectConnectionsDueForReverify(now: Date, limit = DEFAULT_REVERIFY_LIMIT): Promise<SweepCandidate[]> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const proof = sql`greatest(${c.verifiedAt}, ${c.provenAt})`;
  const catchUpQueued = and(isNotNull(c.catchUpRequestedAt), or(isNull(c.catchUpAttemptedAt), lt(c.catchUpAttemptedAt, c.catchUpRequestedAt)));
  return selectSweepCandidates(
    and(
      isNotNull(c.verifiedAt),
      or(
        and(sql`${proof} <= ${at} - ${sweepInterval(BACKGROUND_INTERVALS.catchUpFloorMs)} - ${sql.raw(`interval '${REVERIFY_AFTER_MS - BACKGROUND_INTERVALS.catchUpFloorMs} milliseconds'`)}`, not(catchUpQueued!)),
        gt(c.lastErrorAt, c.verifiedAt),
      ),
      or(isNull(c.lastErrorAt), lte(c.lastErrorAt, sql`${at} - ${sweepInterval(BACKGROUND_INTERVALS.retryAfterFailureMs)}`)),
    ),
    now,
  )
    .orderBy(sql`${proof} asc`, asc(c.id))
    .limit(limit);
}

export interface ReverifySweepResult {
  examined: number;
  verified: number;
  /** Verify failed; the failure is on the connection. */
  failed: number;
  /** No longer verifiable when its turn came (disconnected, reauthorization required, reconnected meanwhile). */
  skipped: number;
  /** Not attempted: Intuit looked unavailable, so the run stopped. */
  deferred: number;
}

function looksLikeIntuitOutage(error: AppError): boolean {
  if (error.code === "intuit_unavailable" || error.code === "discovery_unavailable") return true;
  const cause = error.cause;
  return cause instanceof IntuitApiError && (cause.kind === "server" || cause.kind === "timeout" || cause.kind === "network");
}

/** One run: select what is due, verify one at a time (gentle on Intuit; a day is long), count the outcomes. */
export async function runReverifySweep(options: { now?: Date; limit?: number } = {}): Promise<ReverifySweepResult> {
  const candidates = await selectConnectionsDueForReverify(options.now ?? new Date(), options.limit ?? DEFAULT_REVERIFY_LIMIT);
  const result: ReverifySweepResult = { examined: candidates.length, verified: 0, failed: 0, skipped: 0, deferred: 0 };
  for (const [index, candidate] of candidates.entries()) {
    try {
      await verifyConnection({ tenantId: candidate.tenantId, actorUserId: null, background: true });
      result.verified += 1;
    } catch (error) {
      if (error instanceof AppError && CONNECTION_GONE_CODES.has(error.code)) {
        result.skipped += 1;
        continue;
      }
      result.failed += 1;
      // Intuit's refusals are AppErrors (or IntuitApiErrors) already recorded by verifyConnection; anything else is a
      // bug worth a log line, with the message only.
      if (!(error instanceof AppError) && !(error instanceof IntuitApiError)) {
        console.error(`Scheduled re-verify failed for connection ${candidate.connectionId}: ${describeError(error)}`);
      }
      if (error instanceof AppError && looksLikeIntuitOutage(error)) {
        result.deferred = candidates.length - index - 1;
        break;
      }
    }
  }
  return result;
}
