import "server-only";
import { and, gte, isNotNull, isNull, lt, lte, notInArray, or, sql } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { IntuitEnvironment } from "@/lib/env";
import { renewAccessToken } from "@/lib/quickbooks/access-token";
import { intuitAppFor } from "@/lib/quickbooks/intuit-app";
import {
  ACCESS_TOKEN_RENEWAL_WINDOW_MS,
  HARD_CAP_MARGIN_MS,
  IN_USE_WINDOW_MS,
  NOT_RENEWED_STATUSES,
  REFRESH_RULE_COOLDOWN_MS,
  REFRESH_TOKEN_RENEWAL_WINDOW_MS,
  isDueForRenewal,
  renewalFactsOf,
  renewalReason,
  type RenewalReason,
} from "./due-rules";

/**
 * The token renewal sweep: renews the tokens of every connection the rules in due-rules.ts call due, through the
 * same use-case as every API call (renewAccessToken), with trigger "scheduled".
 *
 * Several app instances may sweep at the same moment (pg-boss keeps one sweep at a time per database, but a PGlite
 * timer, a manual trigger or a slow sweep overlapping the next can still race). Correctness does not depend on that:
 * the selection below takes no lock (a renewal calls Intuit, far too long to hold row locks for a whole batch), and
 * each renewal takes the connection's row lock, re-reads the row and re-checks the rules on it (`dueCheck`). A second
 * sweeper that selected the same connection waits for the first one's lock, then finds it no longer due and keeps
 * the stored tokens: each connection is refreshed once. Within one process, overlapping sweeps also skip a connection
 * another sweep is renewing, so their counts stay honest.
 */

export const DEFAULT_SWEEP_LIMIT = 200;
/** Renewals in flight at once per sweep: enough to keep up, few enough not to hammer Intuit or the pool. */
const SWEEP_CONCURRENCY = 4;

export interface RenewalCandidate {
  connectionId: string;
  tenantId: string;
  environment: IntuitEnvironment;
  reason: RenewalReason;
}

export interface RenewalSweepResult {
  /** Connections selected as due. */
  examined: number;
  renewed: number;
  failed: number;
  /** Selected, but found not due (or gone) under the lock, or being renewed by another sweep of this process. */
  skipped: number;
}

export interface RenewalSweepOptions {
  /** The sweep's clock; tests pass a simulated time. Default: the real time, read when each renewal happens. */
  now?: Date;
  limit?: number;
}

const c = quickbooksConnections;

/**
 * The connections due for renewal at `now`, soonest expiry first. The SQL states the rules of due-rules.ts
 * exactly (a test checks they agree), so that connections the rules reject never take the places of due ones.
 */
export async function selectConnectionsDueForRenewal(now: Date, limit = DEFAULT_SWEEP_LIMIT): Promise<RenewalCandidate[]> {
  const t = now.getTime();
  const at = (offsetMs: number) => new Date(t + offsetMs);
  const accessRule = and(
    gte(c.lastUsedAt, at(-IN_USE_WINDOW_MS)),
    or(isNull(c.accessTokenExpiresAt), lt(c.accessTokenExpiresAt, at(ACCESS_TOKEN_RENEWAL_WINDOW_MS))),
  );
  const refreshRule = and(
    or(isNull(c.refreshTokenExpiresAt), lt(c.refreshTokenExpiresAt, at(REFRESH_TOKEN_RENEWAL_WINDOW_MS))),
    // Never because of the 5-year cap: once the refresh token's expiry has reached it, a renewal gains nothing.
    or(
      isNull(c.refreshTokenHardExpiresAt),
      isNull(c.refreshTokenExpiresAt),
      sql`${c.refreshTokenHardExpiresAt} > ${c.refreshTokenExpiresAt} + ${sql.raw(`interval '${HARD_CAP_MARGIN_MS / 1000} seconds'`)}`,
    ),
    or(isNull(c.lastRefreshedAt), lte(c.lastRefreshedAt, at(-REFRESH_RULE_COOLDOWN_MS))),
  );
  const rows = await db()
    .select({
      id: c.id,
      tenantId: c.tenantId,
      environment: c.environment,
      status: c.status,
      // Whether a refresh token exists; the sealed value itself is not read here.
      hasRefreshToken: sql<boolean>`${c.refreshTokenEnc} is not null`,
      accessTokenExpiresAt: c.accessTokenExpiresAt,
      refreshTokenExpiresAt: c.refreshTokenExpiresAt,
      refreshTokenHardExpiresAt: c.refreshTokenHardExpiresAt,
      lastUsedAt: c.lastUsedAt,
      lastRefreshedAt: c.lastRefreshedAt,
    })
    .from(c)
    .where(
      and(
        isNotNull(c.refreshTokenEnc),
        notInArray(c.status, [...NOT_RENEWED_STATUSES]),
        or(accessRule, refreshRule),
      ),
    )
    .orderBy(sql`least(${c.accessTokenExpiresAt}, ${c.refreshTokenExpiresAt}) asc nulls first`, c.id)
    .limit(limit);

  const candidates: RenewalCandidate[] = [];
  for (const row of rows) {
    const { id, tenantId, environment, ...facts } = row;
    const reason = renewalReason(facts, now);
    if (reason) candidates.push({ connectionId: id, tenantId, environment, reason });
  }
  return candidates;
}

// Connections a sweep of this process is renewing right now.
const renewingHere = new Set<string>();

export type RenewalOutcome = "renewed" | "skipped" | "failed";

/**
 * Renews one selected connection if it is still due once its row is locked. Never throws: a failure is already in
 * the refresh log and the audit trail (written by renewAccessToken), and must not stop the sweep.
 */
export async function renewDueConnection(candidate: RenewalCandidate, options: { now?: Date } = {}): Promise<RenewalOutcome> {
  if (renewingHere.has(candidate.connectionId)) return "skipped";
  renewingHere.add(candidate.connectionId);
  try {
    // The connection's own environment: a tenant that switched environment still keeps its other connection alive.
    const app = await intuitAppFor(candidate.tenantId, candidate.environment);
    const fixed = options.now;
    const result = await renewAccessToken({
      tenantId: candidate.tenantId,
      app,
      trigger: "scheduled",
      // force skips renewAccessToken's own 5-minute test, which is narrower than the job's 10-minute window and knows
      // nothing of refresh tokens; what decides instead is dueCheck, the same rules, run on the locked, re-read row.
      force: true,
      dueCheck: (row, now) => isDueForRenewal(renewalFactsOf(row), now),
      now: fixed ? () => fixed : () => new Date(),
    });
    return result.renewed ? "renewed" : "skipped";
  } catch (error) {
    // Disconnected since it was selected: nothing to renew.
    if (error instanceof AppError && error.code === "not_connected") return "skipped";
    // Intuit's refusals are AppErrors and already logged; anything else is a bug or an outage worth a log line.
    if (!(error instanceof AppError)) {
      console.error(`Scheduled token renewal failed for connection ${candidate.connectionId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return "failed";
  } finally {
    renewingHere.delete(candidate.connectionId);
  }
}

/** One sweep: select what is due, renew it a few at a time, count the outcomes. */
export async function runRenewalSweep(options: RenewalSweepOptions = {}): Promise<RenewalSweepResult> {
  const candidates = await selectConnectionsDueForRenewal(options.now ?? new Date(), options.limit ?? DEFAULT_SWEEP_LIMIT);
  const result: RenewalSweepResult = { examined: candidates.length, renewed: 0, failed: 0, skipped: 0 };
  let next = 0;
  const worker = async () => {
    for (let candidate = candidates[next++]; candidate; candidate = candidates[next++]) {
      result[await renewDueConnection(candidate, { now: options.now })] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, candidates.length) }, worker));
  return result;
}
