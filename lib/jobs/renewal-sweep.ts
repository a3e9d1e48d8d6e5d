import "server-only";
import { and, gte, inArray, isNotNull, isNull, lt, lte, notInArray, or, sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { env, type IntuitEnvironment } from "@/lib/env";
import { renewAccessToken } from "@/lib/quickbooks/client/access-token";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
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
  type RenewalFacts,
  type RenewalReason,
} from "./due-rules";
import { describeError } from "@/lib/describe-error";

/**
 * The token renewal sweep: renews the tokens of every connection the rules in due-rules.ts call due, through the
 * same use-case as every API call (renewAccessToken), with trigger "scheduled".
 *
 * Throughput: thousands of connections can fall due within one access token's hour (they were connected together,
 * or the app was down), so a sweep does not stop after a fixed number: it claims due connections a batch at a time,
 * most urgent first, and renews them `concurrency` at a time until none is left or its time budget is spent.
 *
 * Several sweepers at once (two app instances, or the sweep and its helper jobs, queue.ts): each claims its batch
 * with `FOR UPDATE SKIP LOCKED` and stamps it `renewal_claimed_until` (a short lease), so the sweepers split the work
 * instead of queueing on the same rows, and the rows of a sweeper that died are taken up once its lease runs out.
 * The claim only splits work; correctness never depends on it: each renewal decides again on the row it locks to take
 * the connection's renewal lease (`dueCheck`), so a connection renewed meanwhile (by an API call, "Renew token", or a
 * sweeper whose claim ran out) is kept, not renewed again. Within one process, overlapping sweeps also skip a
 * connection another sweep is renewing, and every renewal, the sweep's and the on-demand ones alike, takes one of the
 * process's renewal slots (lib/quickbooks/client/renewal-slots.ts).
 */

/** The default `limit` of selectConnectionsDueForRenewal (a read for tests and tools; the sweep claims instead). */
export const DEFAULT_SWEEP_LIMIT = 200;
/**
 * Connections claimed per batch. Small, so that a batch is worked long before its lease ends even when Intuit is
 * slow (a renewal may take 20 s with its retries: 25 at 6 at a time is about 5 rounds), and the sweepers' batches
 * interleave finely; large enough that claiming (one statement) costs little per renewal.
 */
export const RENEWAL_CLAIM_BATCH = 25;
/** How long a claim keeps other sweepers off a connection; also how soon a failed renewal is tried again. */
export const RENEWAL_CLAIM_LEASE_MS = 2 * 60 * 1000;
/** A sweep stops claiming after this; what is left goes to the next sweep (pg-boss: a minute later). */
export const DEFAULT_RENEWAL_BUDGET_MS = 4 * 60 * 1000;

export interface RenewalCandidate {
  connectionId: string;
  tenantId: string;
  environment: IntuitEnvironment;
  reason: RenewalReason;
}

export interface RenewalSweepResult {
  /** Connections claimed as due. */
  examined: number;
  renewed: number;
  failed: number;
  /** Claimed, but found not due (or gone) under the lock, or being renewed by another sweep of this process. */
  skipped: number;
}

export interface RenewalSweepOptions {
  /** The sweep's clock; tests pass a simulated time. Default: the real time, read at each claim and renewal. */
  now?: Date;
  /** Claim at most this many connections in this sweep. Default: no limit but the budget. */
  limit?: number;
  /** Renewals this sweep runs at once. Default QBC_RENEWAL_CONCURRENCY, the process's limit for all renewals. */
  concurrency?: number;
  /**
   * Claim no further batch after this many milliseconds (real time); the batches claimed are still finished. Default
   * DEFAULT_RENEWAL_BUDGET_MS.
   */
  budgetMs?: number;
  /**
   * Called once, when a claim comes back full: more is due than this sweep may finish alone. The pg-boss runner
   * answers by asking the other instances to help (queue.ts). Its failure is logged and does not stop the sweep.
   */
  onBacklog?: () => Promise<void>;
}

const c = quickbooksConnections;

/**
 * The rules of due-rules.ts as SQL, exactly (a test checks they agree), so that connections the rules reject never
 * take the places of due ones.
 */
function dueForRenewal(now: Date): SQL {
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
  return and(isNotNull(c.refreshTokenEnc), notInArray(c.status, [...NOT_RENEWED_STATUSES]), or(accessRule, refreshRule))!;
}

/** Soonest expiry first: the connections closest to breaking are renewed first. */
const mostUrgentFirst = [sql`least(${c.accessTokenExpiresAt}, ${c.refreshTokenExpiresAt}) asc nulls first`, c.id] as const;

const factColumns = {
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
};

type FactRow = RenewalFacts & { id: string; tenantId: string; environment: IntuitEnvironment };

function candidatesOf(rows: FactRow[], now: Date): RenewalCandidate[] {
  const candidates: RenewalCandidate[] = [];
  for (const row of rows) {
    const { id, tenantId, environment, ...facts } = row;
    const reason = renewalReason(facts, now);
    if (reason) candidates.push({ connectionId: id, tenantId, environment, reason });
  }
  return candidates;
}

/** The connections due for renewal at `now`, soonest expiry first, claimed or not. Takes no lock and claims nothing. */
export async function selectConnectionsDueForRenewal(now: Date, limit = DEFAULT_SWEEP_LIMIT): Promise<RenewalCandidate[]> {
  const rows = await db()
    .select(factColumns)
    .from(c)
    .where(dueForRenewal(now))
    .orderBy(...mostUrgentFirst)
    .limit(limit);
  return candidatesOf(rows, now);
}

/**
 * Claims up to `limit` due connections nobody else holds a claim on, most urgent first, until `now + leaseMs`. One
 * statement: rows another sweeper is claiming at this instant are skipped (SKIP LOCKED), not waited for.
 */
export async function claimConnectionsDueForRenewal(now: Date, limit = RENEWAL_CLAIM_BATCH, leaseMs = RENEWAL_CLAIM_LEASE_MS): Promise<RenewalCandidate[]> {
  const claimable = db()
    .select({ id: c.id })
    .from(c)
    .where(and(dueForRenewal(now), or(isNull(c.renewalClaimedUntil), lte(c.renewalClaimedUntil, now))))
    .orderBy(...mostUrgentFirst)
    .limit(limit)
    .for("update", { skipLocked: true });
  const rows = await db()
    .update(c)
    .set({ renewalClaimedUntil: new Date(now.getTime() + leaseMs) })
    .where(inArray(c.id, claimable))
    .returning(factColumns);
  // RETURNING keeps no order: put the most urgent first again.
  const urgency = (row: FactRow) => Math.min(row.accessTokenExpiresAt?.getTime() ?? -Infinity, row.refreshTokenExpiresAt?.getTime() ?? -Infinity);
  rows.sort((a, b) => urgency(a) - urgency(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return candidatesOf(rows, now);
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
      console.error(`Scheduled token renewal failed for connection ${candidate.connectionId}: ${describeError(error)}`);
    }
    return "failed";
  } finally {
    renewingHere.delete(candidate.connectionId);
  }
}

/**
 * One sweep: claim due connections a batch at a time and renew them `concurrency` at a time, until nothing due is left
 * unclaimed, the limit is reached, or the budget is spent. Never throws for one connection's failure.
 */
export async function runRenewalSweep(options: RenewalSweepOptions = {}): Promise<RenewalSweepResult> {
  const result: RenewalSweepResult = { examined: 0, renewed: 0, failed: 0, skipped: 0 };
  const deadline = performance.now() + (options.budgetMs ?? DEFAULT_RENEWAL_BUDGET_MS);
  const limit = options.limit ?? Infinity;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? env().renewalConcurrency, env().renewalConcurrency));
  const queue: RenewalCandidate[] = [];
  let exhausted = false;
  let backlogReported = false;
  // One claim at a time: the workers that find the queue empty wait for the same claim.
  let claiming: Promise<void> | null = null;

  let claims = 0;
  const claim = async () => {
    const wanted = Math.min(RENEWAL_CLAIM_BATCH, limit - result.examined);
    // The budget stops further claims, never the first: every sweep renews at least the most urgent batch.
    if (wanted <= 0 || (claims > 0 && performance.now() >= deadline)) {
      exhausted = true;
      return;
    }
    const now = options.now ?? new Date();
    claims += 1;
    const claimed = await claimConnectionsDueForRenewal(now, wanted);
    result.examined += claimed.length;
    queue.push(...claimed);
    // A short claim means nothing due is left unclaimed (rows the rules reject in JS are none: the SQL is the rules).
    if (claimed.length < wanted) exhausted = true;
    if (claimed.length === RENEWAL_CLAIM_BATCH && !backlogReported && options.onBacklog) {
      backlogReported = true;
      await options.onBacklog().catch((error: unknown) => {
        console.error(`Token renewal sweep: asking for help failed: ${describeError(error)}`);
      });
    }
  };
  const next = async (): Promise<RenewalCandidate | undefined> => {
    for (;;) {
      const candidate = queue.shift();
      if (candidate) return candidate;
      if (exhausted) return undefined;
      claiming ??= claim().finally(() => {
        claiming = null;
      });
      await claiming;
    }
  };
  const worker = async () => {
    for (let candidate = await next(); candidate; candidate = await next()) {
      // Each renewal also takes one of the process's renewal slots (renewal-slots.ts), shared with on-demand renewals.
      const outcome = await renewDueConnection(candidate, { now: options.now });
      result[outcome] += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}
