import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { IntuitEnvironment } from "@/lib/env";
import type { ConnectionRow } from "../store/connections";

/**
 * The renewal lease on a connection row: which renewal, of any process, may ask Intuit with the stored refresh token
 * right now. It replaces holding the row lock for the whole exchange with Intuit, which kept one of the pool's
 * connections (on PGlite, the only one) busy for as long as Intuit took.
 *
 * - Taking it is one short transaction: the row is locked, the caller decides again on the row it reads (another
 *   process may have renewed meanwhile), and a renewal that goes ahead stamps its lease id and an expiry.
 * - While Intuit answers, no connection is held; the holder's heartbeat moves the expiry on every few seconds, so the
 *   lease of a holder that dies (SIGKILL, a lost host) ends within LEASE_TTL_SECONDS, not after the longest exchange.
 * - Settling is a second short transaction on the locked row (renewal-settlement.ts). It clears the lease if it is
 *   still this renewal's.
 * Times are the database's clock (now()): instances' clocks may disagree, and tests run renewals at simulated times.
 */

/** A lease not moved on for this long is over: its holder is dead or cut off from the database. */
const LEASE_TTL_SECONDS = 15;
/** How often a holder moves its lease on: three chances before it runs out. */
const LEASE_HEARTBEAT_MS = 5_000;

const c = quickbooksConnections;
const leaseExpiry = sql`now() + ${sql.raw(`interval '${LEASE_TTL_SECONDS} seconds'`)}`;

export type LeaseDecision = "renew" | "keep";

export type LeaseOutcome =
  /** The decision was to keep the stored token: no lease taken. */
  | { kind: "keep"; row: ConnectionRow }
  /** Another renewal holds a live lease: wait for it, then decide again. */
  | { kind: "busy" }
  | { kind: "leased"; row: ConnectionRow; leaseId: string };

/**
 * Locks the tenant's connection, asks `decide` on the row read under the lock (it may throw, e.g. not connected), and
 * takes the lease when the answer is "renew" and no other renewal holds a live one.
 */
export async function takeRenewalLease(
  tenantId: string,
  environment: IntuitEnvironment,
  decide: (row: ConnectionRow | null) => LeaseDecision,
): Promise<LeaseOutcome> {
  return db().transaction(async (tx) => {
    const [found] = await tx
      .select({ ...getTableColumns(c), leaseLive: sql<boolean>`coalesce(${c.renewalLeaseUntil} > now(), false)` })
      .from(c)
      .where(and(eq(c.tenantId, tenantId), eq(c.environment, environment)))
      .for("update");
    if (!found) {
      decide(null);
      throw new Error("A renewal was decided on a connection that does not exist.");
    }
    const { leaseLive, ...row } = found;
    const decision = decide(row);
    if (decision === "keep") return { kind: "keep", row };
    if (leaseLive) return { kind: "busy" };
    const leaseId = randomUUID();
    const [leased] = await tx
      .update(c)
      .set({ renewalLeaseId: leaseId, renewalLeaseUntil: leaseExpiry })
      .where(and(eq(c.id, row.id), eq(c.tenantId, tenantId)))
      .returning();
    return { kind: "leased", row: leased!, leaseId };
  });
}

/** Moves the lease on every LEASE_HEARTBEAT_MS until stopped. A failed beat is ignored: settling copes with a lost lease. */
export function keepLeaseAlive(row: Pick<ConnectionRow, "id" | "tenantId">, leaseId: string): { stop(): void } {
  const timer = setInterval(() => {
    void db()
      .update(c)
      .set({ renewalLeaseUntil: leaseExpiry })
      .where(and(eq(c.id, row.id), eq(c.tenantId, row.tenantId), eq(c.renewalLeaseId, leaseId)))
      .catch(() => {});
  }, LEASE_HEARTBEAT_MS);
  return { stop: () => clearInterval(timer) };
}

/** The columns that end the lease, for an update that settles the renewal holding it. */
export const leaseCleared = { renewalLeaseId: null, renewalLeaseUntil: null } as const;

/** Ends the lease if it is still this renewal's: when a renewal fails before it could settle. Never throws. */
export async function releaseRenewalLease(row: Pick<ConnectionRow, "id" | "tenantId">, leaseId: string): Promise<void> {
  await db()
    .update(c)
    .set(leaseCleared)
    .where(and(eq(c.id, row.id), eq(c.tenantId, row.tenantId), eq(c.renewalLeaseId, leaseId)))
    .catch(() => {});
}

/**
 * How long a renewal waits for another one's lease before it gives up: longer than a live holder can take (its
 * exchange with Intuit ends within the retry policy's 20 s plus one call's 10 s) and than a dead holder's lease lasts.
 */
const LEASE_WAIT_LIMIT_MS = 45_000;
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1_000;

/** Waits between polls for another renewal's lease, 50 ms doubling to 1 s; resolves false once the wait is over its limit. */
export function leaseWaiter(): () => Promise<boolean> {
  const giveUpAt = performance.now() + LEASE_WAIT_LIMIT_MS;
  let pause = FIRST_POLL_MS;
  return async () => {
    if (performance.now() + pause > giveUpAt) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, MAX_POLL_MS);
    return true;
  };
}

export const renewalStillBusy = () =>
  new AppError("intuit_unavailable", 503, "Another renewal of this connection is still waiting for Intuit; the stored tokens are unchanged. Try again in a minute.");
