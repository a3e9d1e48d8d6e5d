import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, gte, sql } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksChanges, syncRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { describeError } from "@/lib/describe-error";
import { AppError } from "@/lib/errors";
import { countAccounts, queryAccountPage } from "@/lib/intuit/account-query";
import { getChangeDataCapture } from "@/lib/intuit/change-data-capture";
import { IntuitApiError } from "@/lib/intuit/faults";
import { recordSyncError } from "@/lib/metrics/record";
import { emitEvent } from "@/lib/notifications/store/outbox";
import { describeApiError } from "@/lib/quickbooks/rules/intuit-failures";
import { callQuickBooks, type QuickBooksCaller } from "@/lib/quickbooks/client/qbo-client";
import { syncRefused } from "./errors";
import { activeConnectionFor, type ChartConnection } from "./store/active-connection";
import { refreshMappedAccounts } from "./store/mapping-set";
import { storeAccounts } from "./store/qbo-accounts";
import { beat, claimable, HEARTBEAT_EVERY_MS, heldBy, type SyncRun } from "./store/sync-runs";

// Sync runs: pull the QuickBooks chart of accounts and balances into qbo_accounts, through the job queue. The first
// run of a connection is full (every account, page by page); later ones fetch only what changed since the last
// success (change data capture, plus the webhook change records). Each page is one transaction that stores the
// accounts and moves the run's cursor, so a run that stops part-way (a crash, an outage) resumes at the next page,
// and the upserts make a repeated page change nothing.
//
// A run is held by the claim that took it (store/sync-runs.ts): a heartbeat keeps it from looking abandoned however
// long a call to Intuit waits, and a runner that nevertheless lost it (its process froze past the abandonment window,
// and another took the run over) finds every write refused, and stops without failing or rewinding the new owner's run.

/** Accounts per page: small enough that the progress bar moves, large enough to stay well inside Intuit's rate. */
export const SYNC_PAGE_SIZE = 250;
/** Ids per "Id in (…)" query of a changes-only run. */
const IDS_PER_QUERY = 100;

/** The run's QuickBooks calls are a scheduled job's, not a person's: they may wait longer for a slot of the realm. */
type Caller = Pick<QuickBooksCaller, "tenantId" | "environment" | "background" | "cause">;

export interface RunSyncOptions {
  now?: Date;
  /** Called after each stored page (progress, tests). */
  onPage?: (run: SyncRun) => void | Promise<void>;
  /** How often the heartbeat is stamped while the run is alive (HEARTBEAT_EVERY_MS; tests shorten it). */
  heartbeatEveryMs?: number;
}

/** Thrown inside a run whose claim another process took over: the run is theirs now, this runner just stops. */
class TakenOver extends Error {
  constructor() {
    super("Another process took over this sync run.");
    this.name = "TakenOver";
  }
}

/**
 * Runs (or resumes) a queued sync to its end. Returns the final row, or null when another process has the run (it
 * could not be claimed, or it was taken over on the way).
 */
export async function runSync(runId: number, options: RunSyncOptions = {}): Promise<SyncRun | null> {
  const claimed = await claim(runId, options.now ?? new Date());
  if (!claimed) return null;
  let run: SyncRun = claimed;
  const connection: ChartConnection = { tenantId: run.tenantId, environment: run.environment, realmId: run.realmId };
  const caller: Caller = { tenantId: run.tenantId, environment: run.environment, background: true, cause: "sync" };
  const heartbeat = startHeartbeat(claimed, options.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS);
  try {
    const current = await activeConnectionFor(run.tenantId, run.environment);
    if (current.realmId !== run.realmId) throw syncRefused("The QuickBooks connection changed since this sync was requested.");

    if (run.mode === "changes") run = await syncChanges(run, connection, caller, options);
    if (run.mode === "full") run = await syncFullChart(run, connection, caller, options);
    return await finish(run, connection);
  } catch (error) {
    if (error instanceof TakenOver) return null;
    return fail(claimed, error);
  } finally {
    heartbeat.stop();
  }
}

/** Takes a queued run, or one abandoned by a dead process, under a new claim token; null when another has it. */
async function claim(runId: number, now: Date): Promise<SyncRun | null> {
  const [run] = await db()
    .update(syncRuns)
    .set({ status: "running", claimToken: randomUUID(), startedAt: sql`coalesce(${syncRuns.startedAt}, ${now.toISOString()}::timestamptz)`, heartbeatAt: now })
    .where(and(eq(syncRuns.id, runId), claimable(now)))
    .returning();
  return run ?? null;
}

/**
 * Stamps the run's heartbeat every `everyMs` while this runner holds it, whatever the run is waiting for. A beat that
 * finds the run taken over stops the beating; the runner learns it at its next write, which is refused.
 */
function startHeartbeat(run: SyncRun, everyMs: number): { stop(): void } {
  let beating: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (beating) return;
    beating = beat(run)
      .then((held) => {
        if (!held) clearInterval(timer);
      })
      // A beat that fails (the database briefly out of reach) is only a missed beat: the next one may land.
      .catch((error: unknown) => console.warn(`Sync run ${run.id}: heartbeat failed: ${describeError(error)}`))
      .finally(() => (beating = null));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Moves the run on by one page, in the transaction that stored the page, if this runner still holds the run. */
async function advance(run: SyncRun, connection: ChartConnection, page: { accounts: Parameters<typeof storeAccounts>[2]; rejected: number; cursorAfter: number }): Promise<SyncRun> {
  return db().transaction(async (tx) => {
    // The claim first, under the row lock: a runner that lost the run writes no account and moves no cursor. The
    // cursor check makes a page count once.
    const [held] = await tx.select({ id: syncRuns.id }).from(syncRuns).where(and(heldBy(run), eq(syncRuns.cursor, run.cursor))).for("update");
    if (!held) throw new TakenOver();
    const updated = await storeAccounts(tx, connection, page.accounts, run.id);
    const [next] = await tx
      .update(syncRuns)
      .set({
        cursor: page.cursorAfter,
        processed: sql`${syncRuns.processed} + ${page.accounts.length + page.rejected}`,
        updated: sql`${syncRuns.updated} + ${updated}`,
        errors: sql`${syncRuns.errors} + ${page.rejected}`,
        heartbeatAt: new Date(),
      })
      .where(heldBy(run))
      .returning();
    return next!;
  });
}

/** Account ids changed since the run's watermark: change data capture, plus what webhooks recorded. */
async function changedAccountIds(run: SyncRun, connection: ChartConnection, caller: Caller): Promise<string[] | null> {
  const since = run.changedSince!;
  const cdc = await callQuickBooks(caller, "cdc", (input) => getChangeDataCapture({ ...input, entities: ["Account"], changedSince: since }));
  const recorded = await db()
    .selectDistinct({ id: quickbooksChanges.entityId })
    .from(quickbooksChanges)
    .where(
      and(
        eq(quickbooksChanges.tenantId, run.tenantId),
        eq(quickbooksChanges.environment, connection.environment),
        eq(quickbooksChanges.realmId, connection.realmId),
        eq(quickbooksChanges.entity, "account"),
        gte(quickbooksChanges.changedAt, since),
      ),
    );
  // CDC caps its answer at 1,000 objects and says nothing of the rest: then only a full pass is sure.
  if (cdc.capped) return null;
  const ids = new Set([...cdc.changes.filter((c) => c.entity === "account").map((c) => c.entityId), ...recorded.map((r) => r.id)]);
  return [...ids].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** Changes the run while this runner holds it. */
async function updateRun(run: SyncRun, set: Partial<typeof syncRuns.$inferInsert>): Promise<SyncRun> {
  const [updated] = await db().update(syncRuns).set(set).where(heldBy(run)).returning();
  if (!updated) throw new TakenOver();
  return updated;
}

/** A changes-only pass. When CDC capped its answer the run becomes a full one instead, returned with mode "full". */
async function syncChanges(run: SyncRun, connection: ChartConnection, caller: Caller, options: RunSyncOptions): Promise<SyncRun> {
  const ids = await changedAccountIds(run, connection, caller);
  if (ids === null) return updateRun(run, { mode: "full", cursor: 0, total: null });
  // The list is read again on a resume (new changes may have joined it), so the run starts it over: stored pages are
  // upserts, and an unchanged account is not rewritten.
  const restarted = await updateRun(run, { total: ids.length, cursor: 0, processed: 0 });
  return syncIds(restarted, connection, caller, ids, options);
}

/** Every account, page by page from the run's cursor; the count first, so the progress bar has a total. */
async function syncFullChart(run: SyncRun, connection: ChartConnection, caller: Caller, options: RunSyncOptions): Promise<SyncRun> {
  let current = run;
  if (current.total === null) {
    const { count } = await callQuickBooks(caller, "query", countAccounts);
    current = await updateRun(current, { total: count });
  }
  for (;;) {
    const from = current.cursor;
    const page = await callQuickBooks(caller, "query", (input) => queryAccountPage({ ...input, startPosition: from + 1, maxResults: SYNC_PAGE_SIZE }));
    const received = page.accounts.length + page.rejected;
    current = await advance(current, connection, { accounts: page.accounts, rejected: page.rejected, cursorAfter: from + received });
    await options.onPage?.(current);
    // A short page is the last; so is reaching the count (an account added meanwhile comes with the next sync).
    if (received < SYNC_PAGE_SIZE || (current.total !== null && current.cursor >= current.total)) return current;
  }
}

async function syncIds(run: SyncRun, connection: ChartConnection, caller: Caller, ids: readonly string[], options: RunSyncOptions): Promise<SyncRun> {
  let current = run;
  for (let start = current.cursor; start < ids.length; start += IDS_PER_QUERY) {
    const chunk = ids.slice(start, start + IDS_PER_QUERY);
    const page = await callQuickBooks(caller, "query", (input) => queryAccountPage({ ...input, startPosition: 1, maxResults: IDS_PER_QUERY, ids: chunk }));
    current = await advance(current, connection, { accounts: page.accounts, rejected: page.rejected, cursorAfter: start + chunk.length });
    await options.onPage?.(current);
  }
  return current;
}

async function finish(run: SyncRun, connection: ChartConnection): Promise<SyncRun> {
  const done = await db().transaction(async (tx) => {
    const [done] = await tx.update(syncRuns).set({ status: "succeeded", finishedAt: new Date(), total: sql`coalesce(${syncRuns.total}, ${syncRuns.processed})` }).where(heldBy(run)).returning();
    if (!done) throw new TakenOver();
    // The mapped external records: keep each mapping's QuickBooks account as QuickBooks now has it.
    await refreshMappedAccounts(tx, connection);
    await recordAudit(tx, {
      tenantId: run.tenantId,
      actorUserId: run.requestedByUserId,
      action: "sync.completed",
      target: `quickbooks:${connection.environment}:${connection.realmId}`,
      outcome: done.errors > 0 ? "failure" : "success",
      details: { runId: run.id, mode: run.mode, processed: done.processed, updated: done.updated, errors: done.errors },
    });
    return done;
  });
  // Outside the transaction: metrics use their own connection (on PGlite, the one connection the transaction holds).
  if (done.errors > 0) await recordSyncError({ tenantId: run.tenantId, kind: "unreadable_account", count: done.errors });
  return done;
}

/** Marks the run failed, if this runner still holds it: a runner that lost the run never fails the new owner's. */
async function fail(claimed: SyncRun, error: unknown): Promise<SyncRun | null> {
  const runId = claimed.id;
  const message = error instanceof IntuitApiError ? describeApiError(error) : error instanceof AppError ? error.userMessage : "The sync stopped on an unexpected error. Resume it to continue where it stopped.";
  if (!(error instanceof IntuitApiError) && !(error instanceof AppError)) console.error(`Sync run ${runId} failed: ${describeError(error)}`);
  const run = await db().transaction(async (tx) => {
    const [failed] = await tx.update(syncRuns).set({ status: "failed", errorMessage: message, finishedAt: new Date() }).where(heldBy(claimed)).returning();
    if (!failed) return null;
    await recordAudit(tx, { tenantId: failed.tenantId, actorUserId: failed.requestedByUserId, action: "sync.failed", target: `quickbooks:${failed.environment}:${failed.realmId}`, outcome: "failure", details: { runId, message } });
    await emitEvent(tx, { tenantId: failed.tenantId, type: "sync.failed", data: { runId, environment: failed.environment, realmId: failed.realmId, message }, dedupeKey: `sync-run:${runId}` });
    return failed;
  });
  // Outside the transaction: metrics use their own connection (on PGlite, the one connection the transaction holds).
  if (run) await recordSyncError({ tenantId: run.tenantId, kind: error instanceof IntuitApiError ? error.kind : "internal" });
  return run ?? null;
}
