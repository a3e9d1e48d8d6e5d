// The background schedule the product had before issue 16, for bench/idle-reads.ts's baseline: every active connection
// caught up through change data capture once its last catch-up is an hour old, and re-verified (CompanyInfo) once its
// last Verify is a day old, whatever else proved it meanwhile. The two selections are those of commit f002c53
// (lib/jobs/catch-up-sweep.ts and lib/jobs/reverify-sweep.ts, the last commit before the schedule changed), word for
// word but for their names; everything they select is done by today's use-cases (catchUpChanges, verifyConnection),
// so each read is metered exactly as the current product's are, and the loop around them is f002c53's runTokenSweeps
// (renewal, revocations, re-verify, catch-up, webhooks, retention, sync runs), each with today's code. Nothing here is
// product code: the product keeps one schedule (lib/usage/rules/governor.ts BACKGROUND_INTERVALS).
import { and, asc, isNull, lte, or, sql } from "drizzle-orm";
import { quickbooksConnections } from "../db/schema";
import { AppError } from "../lib/errors";
import { runPendingSyncs } from "../lib/ledger/run-pending-syncs";
import { runRenewalSweep } from "../lib/jobs/renewal-sweep";
import { runRetentionSweep } from "../lib/jobs/retention-sweep";
import { runRevocationRetrySweep } from "../lib/jobs/revocation-retry-sweep";
import { CONNECTION_GONE_CODES, selectSweepCandidates } from "../lib/jobs/sweep-candidates";
import { catchUpChanges } from "../lib/quickbooks/catch-up-changes";
import { processPendingWebhookEvents } from "../lib/quickbooks/process-webhook-events";
import { verifyConnection } from "../lib/quickbooks/verify-connection";

const HOUR = 60 * 60 * 1000;
/** f002c53 catch-up-sweep.ts CATCH_UP_EVERY_MS. */
export const LEGACY_CATCH_UP_EVERY_MS = HOUR;
/** f002c53 reverify-sweep.ts REVERIFY_AFTER_MS and REVERIFY_RETRY_AFTER_FAILURE_MS. */
export const LEGACY_REVERIFY_AFTER_MS = 24 * HOUR;
const LEGACY_REVERIFY_RETRY_AFTER_FAILURE_MS = HOUR;
/** Both sweeps' DEFAULT_*_LIMIT then (and now). */
export const LEGACY_LIMIT = 25;

const c = quickbooksConnections;

export interface LegacySweepReport {
  catchUp: { examined: number; caughtUp: number; failed: number };
  reverify: { examined: number; verified: number; failed: number };
}

async function legacyCatchUp(now: Date): Promise<LegacySweepReport["catchUp"]> {
  const candidates = await selectSweepCandidates(or(isNull(c.lastCatchUpAt), lte(c.lastCatchUpAt, new Date(now.getTime() - LEGACY_CATCH_UP_EVERY_MS))), now)
    .orderBy(sql`${c.lastCatchUpAt} asc nulls first`, asc(c.id))
    .limit(LEGACY_LIMIT);
  const result = { examined: candidates.length, caughtUp: 0, failed: 0 };
  for (const candidate of candidates) {
    try {
      // The hourly catch-up was the old schedule's floor: the trigger today's code records for a catch-up without evidence.
      await catchUpChanges(candidate.tenantId, { now, trigger: "floor" });
      result.caughtUp += 1;
    } catch (error) {
      if (error instanceof AppError && CONNECTION_GONE_CODES.has(error.code)) continue;
      result.failed += 1;
    }
  }
  return result;
}

async function legacyReverify(now: Date): Promise<LegacySweepReport["reverify"]> {
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  const candidates = await selectSweepCandidates(
    and(lte(c.verifiedAt, at(-LEGACY_REVERIFY_AFTER_MS)), or(isNull(c.lastErrorAt), lte(c.lastErrorAt, at(-LEGACY_REVERIFY_RETRY_AFTER_FAILURE_MS)))),
    now,
  )
    .orderBy(asc(c.verifiedAt), asc(c.id))
    .limit(LEGACY_LIMIT);
  const result = { examined: candidates.length, verified: 0, failed: 0 };
  for (const candidate of candidates) {
    try {
      await verifyConnection({ tenantId: candidate.tenantId, actorUserId: null, background: true });
      result.verified += 1;
    } catch (error) {
      if (error instanceof AppError && CONNECTION_GONE_CODES.has(error.code)) continue;
      result.failed += 1;
    }
  }
  return result;
}

/** One run of f002c53's runTokenSweeps, in its order, at `now`. */
export async function runLegacySweeps(now: Date): Promise<LegacySweepReport> {
  await runRenewalSweep({ now });
  await runRevocationRetrySweep({ now });
  const reverify = await legacyReverify(now);
  const catchUp = await legacyCatchUp(now);
  await processPendingWebhookEvents({ now });
  await runRetentionSweep({ now });
  await runPendingSyncs(now);
  return { catchUp, reverify };
}
