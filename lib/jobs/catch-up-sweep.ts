import "server-only";
import { and, asc, eq, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { incrementOf, recordHourly, recordProcessingError } from "@/lib/metrics/record";
import { catchUpChanges } from "@/lib/quickbooks/catch-up-changes";
import { isCatchUpTrigger, requestCatchUp, type CatchUpTrigger } from "@/lib/quickbooks/store/catch-up-requests";
import { BACKGROUND_INTERVALS } from "@/lib/usage/rules/governor";
import { noteWebhookEvidence, type WebhookEvidence } from "./catch-up-evidence";
import { followUpTrigger } from "./rules/catch-up-rules";
import { CONNECTION_GONE_CODES, selectSweepCandidates, sweepInterval, type SweepCandidate } from "./sweep-candidates";
import { describeError } from "@/lib/describe-error";

/**
 * The CDC catch-up sweep (lib/quickbooks/catch-up-changes.ts). Each catch-up is a metered read (intuit.md §9), and
 * webhooks already announce every change, so it is not an hourly poll of everyone: a connection is caught up
 *
 * - where there is evidence that its webhooks were missed (rules/catch-up-rules.ts, catch-up-evidence.ts): the app
 *   was down (a gap in the sweeps' heartbeat), deliveries were refused, an event of the tenant was dead-lettered,
 *   Intuit delivered events again, or the last catch-up found changes no webhook announced;
 * - and at least daily (the floor), counted from its last catch-up (from its connection when it has none).
 *
 * Both intervals, and the hour between two catch-ups of one connection (after a failure too), are stretched by the
 * governor's factor for the connection's Intuit app (lib/usage/rules/governor.ts); an app whose reads Intuit blocked
 * is left out (sweep-candidates.ts). Evidence goes first, oldest first, then the oldest watermark; at most `limit` a
 * run, one at a time (the sweep runs every minute, queue.ts). What triggered each catch-up is recorded on the
 * connection and counted per tenant and hour (health metric "catch_up"). A failure of one connection never stops the
 * others; it is logged by its message only.
 */

export const DEFAULT_CATCH_UP_LIMIT = 25;

const c = quickbooksConnections;

/** isDueForCatchUp (rules/catch-up-rules.ts) in SQL, evidence first. */
export async function selectConnectionsDueForCatchUp(now: Date, limit = DEFAULT_CATCH_UP_LIMIT): Promise<SweepCandidate[]> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const watermark = sql`coalesce(${c.lastCatchUpAt}, ${c.connectedAt})`;
  return selectSweepCandidates(
    and(
      or(isNull(c.catchUpAttemptedAt), lte(c.catchUpAttemptedAt, sql`${at} - ${sweepInterval(BACKGROUND_INTERVALS.catchUpSpacingMs)}`)),
      or(isNotNull(c.catchUpRequestedAt), sql`${watermark} is null`, sql`${watermark} <= ${at} - ${sweepInterval(BACKGROUND_INTERVALS.catchUpFloorMs)}`),
    ),
    now,
  )
    .orderBy(sql`${c.catchUpRequestedAt} asc nulls last`, sql`${watermark} asc nulls first`, asc(c.id))
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
  /** Catch-ups run, by what triggered them. */
  triggers: Partial<Record<CatchUpTrigger, number>>;
  /** What the delivery log said (null when it could not be read). */
  evidence: WebhookEvidence | null;
}

/** The health metric's kind of a failed catch-up: "catch_up_" and Intuit's error kind, our error code, or "internal". */
export function catchUpErrorKind(error: unknown): string {
  if (error instanceof IntuitApiError) return `catch_up_${error.kind}`;
  if (error instanceof AppError) return `catch_up_${error.code}`;
  return "catch_up_internal";
}

/** A failed attempt still counts for the spacing: the connection is tried again an hour (stretched) later, not each minute. */
async function recordAttempt(candidate: SweepCandidate, now: Date): Promise<void> {
  await db()
    .update(c)
    .set({ catchUpAttemptedAt: now })
    .where(and(eq(c.id, candidate.connectionId), eq(c.tenantId, candidate.tenantId)));
}

/** One run: read the evidence, select what is due, catch each up in turn, ask for follow-ups, count the outcomes. */
export async function runCatchUpSweep(options: { now?: Date; limit?: number } = {}): Promise<CatchUpSweepResult> {
  const now = options.now ?? new Date();
  const result: CatchUpSweepResult = { examined: 0, caughtUp: 0, failed: 0, skipped: 0, recorded: 0, triggers: {}, evidence: null };
  try {
    result.evidence = await noteWebhookEvidence(now);
  } catch (error) {
    // The floor still runs; the evidence is read again from the same mark next time.
    console.error(`Reading the webhook log for missed webhooks failed: ${describeError(error)}`);
  }
  const candidates = await selectConnectionsDueForCatchUp(now, options.limit ?? DEFAULT_CATCH_UP_LIMIT);
  result.examined = candidates.length;
  for (const candidate of candidates) {
    const trigger: CatchUpTrigger = isCatchUpTrigger(candidate.catchUpTrigger) ? candidate.catchUpTrigger : "floor";
    try {
      const outcome = await catchUpChanges(candidate.tenantId, { now: options.now, trigger });
      result.caughtUp += 1;
      result.recorded += outcome.recorded;
      result.triggers[trigger] = (result.triggers[trigger] ?? 0) + 1;
      await recordHourly([incrementOf(candidate.tenantId, "catch_up", trigger, [outcome.calls], now)], "catch-up trigger");
      const next = followUpTrigger(trigger, outcome);
      if (next) await requestCatchUp([candidate.tenantId], next, now);
      if (outcome.capped.length > 0) {
        console.warn(`CDC catch-up for connection ${candidate.connectionId}: Intuit's 1,000-object cap was reached for ${outcome.capped.join(", ")}; the next run continues from ${outcome.caughtUpTo.toISOString()}.`);
      }
    } catch (error) {
      if (error instanceof AppError && CONNECTION_GONE_CODES.has(error.code)) {
        result.skipped += 1;
        continue;
      }
      result.failed += 1;
      await recordAttempt(candidate, now);
      console.error(`CDC catch-up failed for connection ${candidate.connectionId}: ${describeError(error)}`);
      await recordProcessingError({ tenantId: candidate.tenantId, kind: catchUpErrorKind(error) });
    }
  }
  return result;
}
