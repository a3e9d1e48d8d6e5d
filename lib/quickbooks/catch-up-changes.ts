import "server-only";
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { db, type Transaction } from "@/db";
import { quickbooksChanges, quickbooksConnections } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { CDC_LOOKBACK_MS, getChangeDataCapture, type CdcChange } from "@/lib/intuit/change-data-capture";
import { notConnected, reauthorizationRequired } from "./errors";
import type { CatchUpTrigger } from "./store/catch-up-requests";
import { findConnection, lockConnection, type ConnectionRow } from "./store/connections";
import { intuitAppFor } from "./client/intuit-app";
import { callQuickBooks } from "./client/qbo-client";

/**
 * The CDC catch-up (intuit.md §6): webhooks can be missed (this app was down, or Intuit gave up retrying), so the
 * tenant's QuickBooks company is asked through change data capture for everything changed since the last catch-up,
 * and what is new goes into quickbooks_changes next to what webhooks recorded, with source "cdc".
 *
 * `last_catch_up_at` is the catch-up's watermark: every change before it has been asked for. It is set in the same
 * transaction as the rows it stands for, so a crash between the two never skips a window.
 */

/** What AWRA syncs. CDC supports all of them (its exceptions are JournalCode, TaxAgency, TimeActivity, TaxCode, TaxRate). */
export const CATCH_UP_ENTITIES = [
  "Account",
  "Customer",
  "Vendor",
  "Item",
  "Invoice",
  "Bill",
  "Payment",
  "BillPayment",
  "JournalEntry",
  "Purchase",
  "Deposit",
] as const;

/**
 * Each catch-up starts this long before the watermark. A change Intuit stamps just before a catch-up but makes
 * visible just after it (or stamps with a clock a little behind ours) is still asked for; asking twice is harmless.
 */
export const CATCH_UP_OVERLAP_MS = 5 * 60 * 1000;
/**
 * Intuit refuses a changedSince older than 30 days by its own clock, measured when the call arrives: a window
 * computed as exactly 30 days here would be refused after any clock skew, a token renewal or a retry, and the whole
 * window lost. So the oldest changedSince asked for is 30 days minus this margin.
 */
export const CDC_LOOKBACK_MARGIN_MS = 5 * 60 * 1000;
/**
 * How far apart two reports of one change may be. Webhook times may carry milliseconds where CDC's
 * LastUpdatedTime has whole seconds; CloudEvents' `time` is the event's, not necessarily the object's.
 */
export const SAME_CHANGE_TOLERANCE_MS = 1000;

/**
 * A webhook announces a change within seconds (Intuit retries a failed delivery after 10 s, 20 s, 30 s and 5 min): a
 * change older than this that only change data capture reported was not announced (CatchUpResult.unannounced).
 */
export const WEBHOOK_GRACE_MS = 15 * 60 * 1000;

export interface CatchUpOptions {
  /** The catch-up's clock (tests); default the real time. */
  now?: Date;
  /** What made it run, recorded on the connection (last_catch_up_trigger); default the daily floor. */
  trigger?: CatchUpTrigger;
}

export interface CatchUpResult {
  connectionId: string;
  realmId: string;
  /** The changedSince asked of Intuit. */
  changedSince: Date;
  /** Distinct changes CDC reported (recorded + alreadyKnown). */
  reported: number;
  /** New rows in quickbooks_changes. */
  recorded: number;
  /** Of those, changes older than WEBHOOK_GRACE_MS: a webhook should have announced them. */
  unannounced: number;
  /** Reported, but already recorded by a webhook or an earlier catch-up. */
  alreadyKnown: number;
  /** CDC calls made: one, or more when the combined answer reached Intuit's 1,000-object cap (fetchChanges). */
  calls: number;
  /** Entities whose own answer still reached the cap: the watermark stops at the newest of their changes seen. */
  capped: string[];
  /** The new watermark (last_catch_up_at). */
  caughtUpTo: Date;
}

/**
 * Where the catch-up starts: the watermark (the connection time for a first catch-up), less the overlap, but never
 * earlier than Intuit answers for. A connection idle for longer than 30 days loses nothing it could still have: Intuit
 * keeps no older changes, so those are beyond any catch-up (a full re-sync is their only source).
 */
export function catchUpChangedSince(row: Pick<ConnectionRow, "lastCatchUpAt" | "connectedAt">, now: Date): Date {
  const from = (row.lastCatchUpAt ?? row.connectedAt ?? now).getTime() - CATCH_UP_OVERLAP_MS;
  const oldestIntuitKeeps = now.getTime() - CDC_LOOKBACK_MS + CDC_LOOKBACK_MARGIN_MS;
  return new Date(Math.max(from, oldestIntuitKeeps));
}

export interface ChangeFact {
  entity: string;
  entityId: string;
  operation: string;
  changedAt: Date;
}

const isDelete = (operation: string) => operation === "delete";

/**
 * The dedupe rule between webhooks and CDC. CDC reports each object once, in its latest state, and can only say
 * create, update or delete (a webhook's void, merge or emailed is an update to CDC). So a CDC change is already known
 * when a change of the same object, of the same kind (a deletion only matches a deletion, anything else anything
 * else), is recorded at most SAME_CHANGE_TOLERANCE_MS before it or at any time after it: the sync that handles that
 * record reads the object as it is by then, which includes the change CDC saw. The unique index on
 * (tenant, entity, entity_id, operation, changed_at) stops exact repeats on its own.
 */
export function isAlreadyKnown(change: ChangeFact, known: readonly ChangeFact[]): boolean {
  return known.some(
    (other) =>
      other.entity === change.entity &&
      other.entityId === change.entityId &&
      isDelete(other.operation) === isDelete(change.operation) &&
      other.changedAt.getTime() >= change.changedAt.getTime() - SAME_CHANGE_TOLERANCE_MS,
  );
}

type Fetched = { changes: CdcChange[]; calls: number; capped: string[]; realmIds: Set<string> };

/**
 * Asks CDC for every entity in one call. Its 1,000-object cap is shared by the entities of the call (no limit on how
 * many entities one call may name is documented) and Intuit documents no order, so from a capped answer any entity
 * may have been cut: each entity the answer holds is asked again alone, and the ones it does not hold together (alone
 * only if that answer is capped too). One busy entity costs 3 calls, not one per entity.
 */
async function fetchChanges(cdc: (entities: readonly string[]) => Promise<{ changes: CdcChange[]; capped: boolean; realmId: string }>): Promise<Fetched> {
  const fetched: Fetched = { changes: [], calls: 0, capped: [], realmIds: new Set() };
  const ask = async (entities: readonly string[]) => {
    const answer = await cdc(entities);
    fetched.calls += 1;
    fetched.realmIds.add(answer.realmId);
    fetched.changes.push(...answer.changes);
    return answer.capped;
  };
  if (!(await ask(CATCH_UP_ENTITIES))) return fetched;
  const present = new Set(fetched.changes.map((c) => c.entity));
  const held = CATCH_UP_ENTITIES.filter((entity) => present.has(entity.toLowerCase()));
  const absent = CATCH_UP_ENTITIES.filter((entity) => !present.has(entity.toLowerCase()));
  for (const entity of held) if (await ask([entity])) fetched.capped.push(entity);
  if (absent.length > 0 && (await ask(absent))) {
    if (absent.length === 1) fetched.capped.push(absent[0]!);
    else for (const entity of absent) if (await ask([entity])) fetched.capped.push(entity);
  }
  return fetched;
}

/** One change per object and kind: the latest (an object may have moved on between the calls of one catch-up). */
function latestPerObject(changes: readonly CdcChange[]): ChangeFact[] {
  const latest = new Map<string, ChangeFact>();
  for (const change of changes) {
    const key = `${change.entity}\u0000${change.entityId}\u0000${isDelete(change.operation)}`;
    const seen = latest.get(key);
    if (!seen || seen.changedAt < change.lastUpdated) {
      latest.set(key, { entity: change.entity, entityId: change.entityId, operation: change.operation, changedAt: change.lastUpdated });
    }
  }
  return [...latest.values()];
}

/**
 * With a capped entity, Intuit left some of its changes out; the emulator keeps the oldest (Intuit documents no
 * order). The watermark then stops at the newest change seen of the capped entities, so the next catch-up asks again
 * from there instead of skipping what was left out.
 */
function watermarkOf(fetched: Fetched, changedSince: Date, now: Date): Date {
  let watermark = now.getTime();
  for (const entity of fetched.capped) {
    const newest = Math.max(...fetched.changes.filter((c) => c.entity === entity.toLowerCase()).map((c) => c.lastUpdated.getTime()));
    if (newest > changedSince.getTime()) watermark = Math.min(watermark, newest);
  }
  return new Date(watermark);
}

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * The changes of the company (environment and realm) not yet known, read under the connection's row lock so two
 * catch-ups never both add one.
 */
async function unknownChanges(tx: Transaction, company: { tenantId: string; environment: IntuitEnvironment; realmId: string }, changes: readonly ChangeFact[]): Promise<ChangeFact[]> {
  const fresh: ChangeFact[] = [];
  for (const part of chunks(changes)) {
    const oldest = Math.min(...part.map((c) => c.changedAt.getTime()));
    const known = await tx
      .select({ entity: quickbooksChanges.entity, entityId: quickbooksChanges.entityId, operation: quickbooksChanges.operation, changedAt: quickbooksChanges.changedAt })
      .from(quickbooksChanges)
      .where(
        and(
          eq(quickbooksChanges.tenantId, company.tenantId),
          eq(quickbooksChanges.environment, company.environment),
          eq(quickbooksChanges.realmId, company.realmId),
          inArray(quickbooksChanges.entityId, [...new Set(part.map((c) => c.entityId))]),
          gte(quickbooksChanges.changedAt, new Date(oldest - SAME_CHANGE_TOLERANCE_MS)),
        ),
      );
    fresh.push(...part.filter((change) => !isAlreadyKnown(change, known)));
  }
  return fresh;
}

function connectionChanged(): AppError {
  return new AppError("connection_changed", 409, "The QuickBooks connection changed during the catch-up; nothing was recorded. It runs again shortly.");
}

/** Catches up the tenant's current QuickBooks connection (it must be active) through change data capture. */
export async function catchUpChanges(tenantId: string, options: CatchUpOptions = {}): Promise<CatchUpResult> {
  const now = options.now ?? new Date();
  const app = await intuitAppFor(tenantId);
  const connection = await findConnection(db(), tenantId, app.environment);
  if (connection?.status === "reauthorization_required") throw reauthorizationRequired();
  if (!connection || connection.status !== "active" || !connection.realmId) throw notConnected();
  const realmId = connection.realmId;
  const changedSince = catchUpChangedSince(connection, now);

  // A scheduled job, not a use of the API by a person: a renewal it needs is logged as scheduled, and it does not
  // mark the connection "in use" (see getUsableAccessToken). A 401 gets one forced renewal and one retry per call.
  const fetched = await fetchChanges((entities) =>
    callQuickBooks({ tenantId, actorUserId: null, background: true, cause: "catch_up" }, "cdc", (input) => getChangeDataCapture({ ...input, entities, changedSince })),
  );
  if (fetched.realmIds.size !== 1 || !fetched.realmIds.has(realmId)) throw connectionChanged();

  const changes = latestPerObject(fetched.changes);
  const caughtUpTo = watermarkOf(fetched, changedSince, now);
  const newest = fetched.changes.reduce<Date | null>((max, c) => (max && max >= c.lastUpdated ? max : c.lastUpdated), null);

  const unannouncedBefore = now.getTime() - WEBHOOK_GRACE_MS;
  const { recorded, unannounced } = await db().transaction(async (tx) => {
    const row = await lockConnection(tx, tenantId, app.environment);
    if (!row || row.id !== connection.id || row.realmId !== realmId || row.status !== "active") throw connectionChanged();
    const inserted = { recorded: 0, unannounced: 0 };
    for (const part of chunks(await unknownChanges(tx, { tenantId, environment: app.environment, realmId }, changes))) {
      const rows = await tx
        .insert(quickbooksChanges)
        .values(part.map((c) => ({ tenantId, environment: app.environment, realmId, entity: c.entity, entityId: c.entityId, operation: c.operation, changedAt: c.changedAt, source: "cdc" })))
        .onConflictDoNothing()
        .returning({ changedAt: quickbooksChanges.changedAt });
      inserted.recorded += rows.length;
      inserted.unannounced += rows.filter((r) => r.changedAt.getTime() <= unannouncedBefore).length;
    }
    const c = quickbooksConnections;
    const at = sql`${now.toISOString()}::timestamptz`;
    await tx
      .update(c)
      .set({
        // greatest() ignores NULL; neither moves back if another catch-up or a webhook got further meanwhile.
        ...(newest ? { lastChangeSeenAt: sql`greatest(${c.lastChangeSeenAt}, ${newest.toISOString()}::timestamptz)` } : {}),
        lastCatchUpAt: sql`greatest(${c.lastCatchUpAt}, ${caughtUpTo.toISOString()}::timestamptz)`,
        lastCatchUpTrigger: options.trigger ?? "floor",
        catchUpAttemptedAt: sql`greatest(${c.catchUpAttemptedAt}, ${at})`,
        // Evidence that came before this catch-up started is answered by it; evidence that came during it is not.
        catchUpRequestedAt: sql`case when ${c.catchUpRequestedAt} <= ${at} then null else ${c.catchUpRequestedAt} end`,
        catchUpTrigger: sql`case when ${c.catchUpRequestedAt} <= ${at} then null else ${c.catchUpTrigger} end`,
      })
      .where(and(eq(c.id, row.id), eq(c.tenantId, tenantId)));
    return inserted;
  });

  return {
    connectionId: connection.id,
    realmId,
    changedSince,
    reported: changes.length,
    recorded,
    unannounced,
    alreadyKnown: changes.length - recorded,
    calls: fetched.calls,
    capped: fetched.capped,
    caughtUpTo,
  };
}
