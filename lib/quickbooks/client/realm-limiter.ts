import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { IntuitApiError } from "@/lib/intuit/faults";
import { appWindowMs, INTUIT_REALM_LIMITS, type RealmLimits } from "@/lib/intuit/limits";

// Intuit's per-realm limits, kept by the app before Intuit has to: every instance asks PostgreSQL for a permit before
// it sends a request, so the count is shared by all of them (an in-memory counter would let each instance spend the
// whole budget). A permit is a row: it counts towards the rate from when it starts, and towards the concurrency
// until it is released or its lease runs out (a process that died mid-request).

export interface PermitOptions {
  limits?: RealmLimits;
  /** How long a permit counts as in flight if it is never released: the request's own time limit plus a margin. */
  leaseMs: number;
  /** Give up after waiting this long, with a typed throttled error. */
  maxWaitMs: number;
  signal?: AbortSignal;
}

export interface RealmPermit {
  id: number;
  /** Time spent waiting for the permit: 0 when a slot was free at once. */
  waitedMs: number;
  release(): Promise<void>;
}

interface Attempt {
  id: number | null;
  inWindow: number;
  rateWaitMs: number | null;
}

/** "sandbox:9341452000000001": limits are per realm per app, and the sandbox and production keys are two apps. */
export function realmKeyOf(environment: string, realmId: string): string {
  return `${environment}:${realmId}`;
}

/**
 * One try, in one short transaction: an advisory lock on the realm serialises the count-then-insert across
 * instances, and clock_timestamp() (not now(), which is the transaction's start) reads the time after the lock.
 */
async function tryPermit(realmKey: string, limits: RealmLimits, leaseMs: number): Promise<Attempt> {
  const windowMs = appWindowMs(limits);
  const lookbackMs = Math.max(windowMs, leaseMs);
  return db().transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`qbo-permit:${realmKey}`}, 0))`);
    const [row] = rowsOf<{ id: number | string | null; in_window: number | string; rate_wait_ms: number | string | null }>(
      await tx.execute(sql`
        with recent as (
          select started_at, finished_at, lease_expires_at from qbo_realm_permits
          where realm_key = ${realmKey} and started_at > clock_timestamp() - make_interval(secs => ${lookbackMs / 1000})
        ), counts as (
          select count(*) filter (where started_at > clock_timestamp() - make_interval(secs => ${windowMs / 1000})) as in_window,
                 count(*) filter (where finished_at is null and lease_expires_at > clock_timestamp()) as in_flight,
                 min(started_at) filter (where started_at > clock_timestamp() - make_interval(secs => ${windowMs / 1000})) as oldest
          from recent
        ), granted as (
          insert into qbo_realm_permits (realm_key, started_at, lease_expires_at)
          select ${realmKey}, clock_timestamp(), clock_timestamp() + make_interval(secs => ${leaseMs / 1000})
          from counts where in_window < ${limits.requestsPerWindow} and in_flight < ${limits.concurrent}
          returning id
        )
        select (select id from granted) as id, in_window,
               ceil(extract(epoch from (oldest + make_interval(secs => ${windowMs / 1000}) - clock_timestamp())) * 1000) as rate_wait_ms
        from counts`),
    );
    return {
      id: row?.id === null || row?.id === undefined ? null : Number(row.id),
      inWindow: Number(row?.in_window ?? 0),
      rateWaitMs: row?.rate_wait_ms === null || row?.rate_wait_ms === undefined ? null : Number(row.rate_wait_ms),
    };
  });
}

/** What to wait before the next try: until the oldest request leaves the window, or a short poll for a free slot. */
export function nextTryInMs(attempt: Pick<Attempt, "inWindow" | "rateWaitMs">, limits: RealmLimits, tries: number): number {
  if (attempt.inWindow >= limits.requestsPerWindow && attempt.rateWaitMs !== null) {
    // Spread the waiters a little so they do not all come back in the same millisecond.
    return Math.max(attempt.rateWaitMs, 1) + Math.random() * 25;
  }
  // A slot frees when a request in flight ends, typically within tens of milliseconds.
  return Math.min(10 * 1.5 ** Math.min(tries, 8), 250) * (0.5 + Math.random());
}

function localThrottle(waitedMs: number): IntuitApiError {
  return new IntuitApiError({
    kind: "throttled",
    status: null,
    code: "local_limit",
    message: `QuickBooks' request limit for this company was reached; no slot came free in ${Math.round(waitedMs / 1000)} s. Try again in a minute.`,
    detail: null,
    faultType: null,
    intuitTid: null,
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** Waits for a permit to send one request to the realm; throws a throttled IntuitApiError after `maxWaitMs`. */
export async function acquireRealmPermit(realmKey: string, options: PermitOptions): Promise<RealmPermit> {
  const limits = options.limits ?? INTUIT_REALM_LIMITS;
  const started = Date.now();
  for (let tries = 0; ; tries++) {
    options.signal?.throwIfAborted();
    const attempt = await tryPermit(realmKey, limits, options.leaseMs);
    const waitedMs = Date.now() - started;
    if (attempt.id !== null) return permit(attempt.id, tries === 0 ? 0 : waitedMs);
    const delay = nextTryInMs(attempt, limits, tries);
    if (waitedMs + delay > options.maxWaitMs) throw localThrottle(waitedMs);
    await sleep(delay, options.signal);
  }
}

function permit(id: number, waitedMs: number): RealmPermit {
  let released = false;
  return {
    id,
    waitedMs,
    async release() {
      if (released) return;
      released = true;
      // If this fails (database gone), the lease frees the slot when it runs out.
      await db()
        .execute(sql`update qbo_realm_permits set finished_at = clock_timestamp() where id = ${id}`)
        .catch(() => undefined);
    },
  };
}
