import "server-only";
import { and, asc, isNull, lte, or } from "drizzle-orm";
import { quickbooksConnections, type ConnectionStatus } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { verifyConnection } from "@/lib/quickbooks/verify-connection";
import { CONNECTION_GONE_CODES, selectSweepCandidates, type SweepCandidate } from "./sweep-candidates";
import { describeError } from "@/lib/describe-error";

/**
 * The daily re-verify: the sync indicator turns red once the last successful Verify is 7 days old
 * (VERIFY_MAX_AGE_DAYS in readiness.ts), so an active connection nobody looks at is verified again, through the same
 * use-case as the "Verify connection" button, once it is a day old. A day leaves six days of slack for an outage
 * of Intuit or of this app before any indicator turns red for age.
 *
 * - Only the tenant's current environment: verifyConnection verifies that one, so a connection of the other
 *   environment would be selected again on every run without ever being verified.
 * - A failed Verify is recorded on the connection by verifyConnection (the Verify step and the indicator show it);
 *   the sweep retries it an hour after that failure, not every minute.
 * - Oldest Verify first, at most `limit` per run; the sweep runs every minute with the renewal sweep (queue.ts), so
 *   25 a run re-verifies 36,000 connections a day.
 * - When Intuit itself looks unavailable, the run stops: the rest wait for the next minute rather than each one
 *   being marked failed by the same outage.
 * - It is not an API use: it does not mark the connection "in use" (see getUsableAccessToken's `background`).
 */

export const REVERIFY_AFTER_MS = 24 * 60 * 60 * 1000;
export const REVERIFY_RETRY_AFTER_FAILURE_MS = 60 * 60 * 1000;
export const DEFAULT_REVERIFY_LIMIT = 25;

export interface ReverifyFacts {
  status: ConnectionStatus;
  hasAccessToken: boolean;
  verifiedAt: Date | null;
  lastErrorAt: Date | null;
  /** The connection is of the environment the tenant uses now. */
  currentEnvironment: boolean;
}

/** The rule the selection below states in SQL (a test checks they agree). */
export function isDueForReverify(facts: ReverifyFacts, now: Date): boolean {
  const t = now.getTime();
  return (
    facts.status === "active" &&
    facts.hasAccessToken &&
    facts.currentEnvironment &&
    facts.verifiedAt !== null &&
    t - facts.verifiedAt.getTime() >= REVERIFY_AFTER_MS &&
    (facts.lastErrorAt === null || t - facts.lastErrorAt.getTime() >= REVERIFY_RETRY_AFTER_FAILURE_MS)
  );
}

const c = quickbooksConnections;

/** Active connections of each tenant's current environment, verified a day ago or more, oldest Verify first. */
export async function selectConnectionsDueForReverify(now: Date, limit = DEFAULT_REVERIFY_LIMIT): Promise<SweepCandidate[]> {
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  return selectSweepCandidates(
    and(lte(c.verifiedAt, at(-REVERIFY_AFTER_MS)), or(isNull(c.lastErrorAt), lte(c.lastErrorAt, at(-REVERIFY_RETRY_AFTER_FAILURE_MS)))),
  )
    .orderBy(asc(c.verifiedAt), asc(c.id))
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
