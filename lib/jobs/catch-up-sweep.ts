import "server-only";
import { asc, isNull, lte, or, sql } from "drizzle-orm";
import { quickbooksConnections } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { recordProcessingError } from "@/lib/metrics/record";
import { catchUpChanges } from "@/lib/quickbooks/catch-up-changes";
import { CONNECTION_GONE_CODES, selectSweepCandidates, type SweepCandidate } from "./sweep-candidates";
import { describeError } from "@/lib/describe-error";

/**
 * The CDC catch-up sweep (lib/quickbooks/catch-up-changes.ts): every active connection is caught up once its last
 * catch-up is an hour old, so a change whose webhook never arrived is in quickbooks_changes within about an hour.
 * After downtime the first sweep, requested at start-up (instrumentation.ts), finds every connection due and asks
 * Intuit for what happened meanwhile, 30 days back at most.
 *
 * - Only the tenant's current environment: catchUpChanges catches that one up, so a connection of the other
 *   environment would be selected on every run without ever being caught up.
 * - Oldest watermark first (never caught up before all), at most `limit` per run, one at a time (gentle on Intuit;
 *   the sweep runs every minute with the others, see queue.ts).
 * - A failure of one connection never stops the others; it is logged by its message only, and that connection stays
 *   due, so the next run tries again.
 */

export const CATCH_UP_EVERY_MS = 60 * 60 * 1000;
export const DEFAULT_CATCH_UP_LIMIT = 25;

const c = quickbooksConnections;

/** Active connections of each tenant's current environment whose last catch-up is an hour old or never happened. */
export async function selectConnectionsDueForCatchUp(now: Date, limit = DEFAULT_CATCH_UP_LIMIT): Promise<SweepCandidate[]> {
  return selectSweepCandidates(or(isNull(c.lastCatchUpAt), lte(c.lastCatchUpAt, new Date(now.getTime() - CATCH_UP_EVERY_MS))))
    .orderBy(sql`${c.lastCatchUpAt} asc nulls first`, asc(c.id))
    .limit(limit);
}

export interface CatchUpSweepResult {
  examined: number;
  caughtUp: number;
  failed: number;
  /** No longer active when its turn came (disconnected, reauthorization required, reconnected meanwhile). */
  skipped: number;
  /** New rows in quickbooks_changes, over all connections. */
  recorded: number;
}

/** The health metric's kind of a failed catch-up: "catch_up_" and Intuit's error kind, our error code, or "internal". */
export function catchUpErrorKind(error: unknown): string {
  if (error instanceof IntuitApiError) return `catch_up_${error.kind}`;
  if (error instanceof AppError) return `catch_up_${error.code}`;
  return "catch_up_internal";
}

/** One run: select what is due, catch each up in turn, count the outcomes. */
export async function runCatchUpSweep(options: { now?: Date; limit?: number } = {}): Promise<CatchUpSweepResult> {
  const candidates = await selectConnectionsDueForCatchUp(options.now ?? new Date(), options.limit ?? DEFAULT_CATCH_UP_LIMIT);
  const result: CatchUpSweepResult = { examined: candidates.length, caughtUp: 0, failed: 0, skipped: 0, recorded: 0 };
  for (const candidate of candidates) {
    try {
      const outcome = await catchUpChanges(candidate.tenantId, { now: options.now });
      result.caughtUp += 1;
      result.recorded += outcome.recorded;
      if (outcome.capped.length > 0) {
        console.warn(`CDC catch-up for connection ${candidate.connectionId}: Intuit's 1,000-object cap was reached for ${outcome.capped.join(", ")}; the next run continues from ${outcome.caughtUpTo.toISOString()}.`);
      }
    } catch (error) {
      if (error instanceof AppError && CONNECTION_GONE_CODES.has(error.code)) {
        result.skipped += 1;
        continue;
      }
      result.failed += 1;
      console.error(`CDC catch-up failed for connection ${candidate.connectionId}: ${describeError(error)}`);
      await recordProcessingError({ tenantId: candidate.tenantId, kind: catchUpErrorKind(error) });
    }
  }
  return result;
}
