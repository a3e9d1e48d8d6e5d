import "server-only";
import { and, eq, gte, sql } from "drizzle-orm";
import { db } from "@/db";
import { accountMappings, qboAccounts, quickbooksChanges, syncRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { countAccounts, queryAccountPage } from "@/lib/intuit/account-query";
import { getChangeDataCapture } from "@/lib/intuit/change-data-capture";
import { IntuitApiError } from "@/lib/intuit/faults";
import { recordSyncError } from "@/lib/metrics/record";
import { describeApiError } from "@/lib/quickbooks/rules/intuit-failures";
import { callQuickBooks, type QuickBooksCaller } from "@/lib/quickbooks/client/qbo-client";
import { syncRefused } from "./errors";
import { activeConnectionFor, type ChartConnection } from "./store/active-connection";
import { storeAccounts } from "./store/qbo-accounts";
import { claimable, type SyncRun } from "./store/sync-runs";

// Sync runs: pull the QuickBooks chart of accounts and balances into qbo_accounts, through the job queue. The first
// run of a connection is full (every account, page by page); later ones fetch only what changed since the last
// success (change data capture, plus the webhook change records). Each page is one transaction that stores the
// accounts and moves the run's cursor, so a run that stops part-way (a crash, an outage) resumes at the next page,
// and the upserts make a repeated page change nothing.

/** Accounts per page: small enough that the progress bar moves, large enough to stay well inside Intuit's rate. */
export const SYNC_PAGE_SIZE = 250;
/** Ids per "Id in (…)" query of a changes-only run. */
const IDS_PER_QUERY = 100;

/** The run's QuickBooks calls are a scheduled job's, not a person's: they may wait longer for a slot of the realm. */
type Caller = Pick<QuickBooksCaller, "tenantId" | "environment" | "background">;

export interface RunSyncOptions {
  now?: Date;
  /** Called after each stored page (progress, tests). */
  onPage?: (run: SyncRun) => void | Promise<void>;
}

/** Runs (or resumes) a queued sync to its end. Returns the final row, or null when another process has the run. */
export async function runSync(runId: number, options: RunSyncOptions = {}): Promise<SyncRun | null> {
  const claimed = await claim(runId, options.now ?? new Date());
  if (!claimed) return null;
  let run: SyncRun = claimed;
  const connection: ChartConnection = { tenantId: run.tenantId, environment: run.environment, realmId: run.realmId };
  const caller: Caller = { tenantId: run.tenantId, environment: run.environment, background: true };
  try {
    const current = await activeConnectionFor(run.tenantId, run.environment);
    if (current.realmId !== run.realmId) throw syncRefused("The QuickBooks connection changed since this sync was requested.");

    if (run.mode === "changes") run = await syncChanges(run, connection, caller, options);
    if (run.mode === "full") run = await syncFullChart(run, connection, caller, options);
    return await finish(run, connection);
  } catch (error) {
    return fail(runId, error);
  }
}

/** Takes a queued run, or one abandoned by a dead process; null when another process has it. */
async function claim(runId: number, now: Date): Promise<SyncRun | null> {
  const [run] = await db()
    .update(syncRuns)
    .set({ status: "running", startedAt: sql`coalesce(${syncRuns.startedAt}, ${now.toISOString()}::timestamptz)`, heartbeatAt: now })
    .where(and(eq(syncRuns.id, runId), claimable(now)))
    .returning();
  return run ?? null;
}

/** Moves the run on by one page, in the transaction that stored the page. */
async function advance(run: SyncRun, connection: ChartConnection, page: { accounts: Parameters<typeof storeAccounts>[2]; rejected: number; cursorAfter: number }): Promise<SyncRun> {
  return db().transaction(async (tx) => {
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
      // The cursor check makes a page count once even if two processes raced past the claim.
      .where(and(eq(syncRuns.id, run.id), eq(syncRuns.cursor, run.cursor), eq(syncRuns.status, "running")))
      .returning();
    if (!next) throw new AppError("sync_taken_over", 409, "Another process took over this sync.");
    return next;
  });
}

/** Account ids changed since the run's watermark: change data capture, plus what webhooks recorded. */
async function changedAccountIds(run: SyncRun, connection: ChartConnection, caller: Caller): Promise<string[] | null> {
  const since = run.changedSince!;
  const cdc = await callQuickBooks(caller, "cdc", (input) => getChangeDataCapture({ ...input, entities: ["Account"], changedSince: since }));
  const recorded = await db()
    .selectDistinct({ id: quickbooksChanges.entityId })
    .from(quickbooksChanges)
    .where(and(eq(quickbooksChanges.tenantId, run.tenantId), eq(quickbooksChanges.realmId, connection.realmId), eq(quickbooksChanges.entity, "account"), gte(quickbooksChanges.changedAt, since)));
  // CDC caps its answer at 1,000 objects and says nothing of the rest: then only a full pass is sure.
  if (cdc.capped) return null;
  const ids = new Set([...cdc.changes.filter((c) => c.entity === "account").map((c) => c.entityId), ...recorded.map((r) => r.id)]);
  return [...ids].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

async function updateRun(runId: number, set: Partial<typeof syncRuns.$inferInsert>): Promise<SyncRun> {
  const [run] = await db().update(syncRuns).set(set).where(eq(syncRuns.id, runId)).returning();
  return run!;
}

/** A changes-only pass. When CDC capped its answer the run becomes a full one instead, returned with mode "full". */
async function syncChanges(run: SyncRun, connection: ChartConnection, caller: Caller, options: RunSyncOptions): Promise<SyncRun> {
  const ids = await changedAccountIds(run, connection, caller);
  if (ids === null) return updateRun(run.id, { mode: "full", cursor: 0, total: null });
  // The list is read again on a resume (new changes may have joined it), so the run starts it over: stored pages are
  // upserts, and an unchanged account is not rewritten.
  const restarted = await updateRun(run.id, { total: ids.length, cursor: 0, processed: 0 });
  return syncIds(restarted, connection, caller, ids, options);
}

/** Every account, page by page from the run's cursor; the count first, so the progress bar has a total. */
async function syncFullChart(run: SyncRun, connection: ChartConnection, caller: Caller, options: RunSyncOptions): Promise<SyncRun> {
  let current = run;
  if (current.total === null) {
    const { count } = await callQuickBooks(caller, "query", countAccounts);
    current = await updateRun(current.id, { total: count });
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
    const [done] = await tx.update(syncRuns).set({ status: "succeeded", finishedAt: new Date(), total: sql`coalesce(${syncRuns.total}, ${syncRuns.processed})` }).where(eq(syncRuns.id, run.id)).returning();
    // The mapped external records: keep each mapping's QuickBooks name as QuickBooks now has it.
    // eslint-disable-next-line drizzle/enforce-update-with-where -- the rule wants .where() right after .set(); here it follows .from()
    await tx
      .update(accountMappings)
      .set({ qboAccountName: sql`${qboAccounts.name}` })
      .from(qboAccounts)
      .where(
        and(
          eq(accountMappings.tenantId, run.tenantId),
          eq(qboAccounts.tenantId, run.tenantId),
          eq(qboAccounts.environment, connection.environment),
          eq(qboAccounts.realmId, connection.realmId),
          eq(qboAccounts.qboId, accountMappings.qboAccountId),
          sql`${accountMappings.qboAccountName} is distinct from ${qboAccounts.name}`,
        ),
      );
    await recordAudit(tx, {
      tenantId: run.tenantId,
      actorUserId: run.requestedByUserId,
      action: "sync.completed",
      target: `quickbooks:${connection.environment}:${connection.realmId}`,
      outcome: done!.errors > 0 ? "failure" : "success",
      details: { runId: run.id, mode: run.mode, processed: done!.processed, updated: done!.updated, errors: done!.errors },
    });
    return done!;
  });
  // Outside the transaction: metrics use their own connection (on PGlite, the one connection the transaction holds).
  if (done.errors > 0) await recordSyncError({ tenantId: run.tenantId, kind: "unreadable_account", count: done.errors });
  return done;
}

async function fail(runId: number, error: unknown): Promise<SyncRun | null> {
  const message = error instanceof IntuitApiError ? describeApiError(error) : error instanceof AppError ? error.userMessage : "The sync stopped on an unexpected error. Resume it to continue where it stopped.";
  if (!(error instanceof IntuitApiError) && !(error instanceof AppError)) console.error("sync run failed", runId, error instanceof Error ? error.message : error);
  const [run] = await db()
    .update(syncRuns)
    .set({ status: "failed", errorMessage: message, finishedAt: new Date() })
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, "running")))
    .returning();
  if (run) {
    await recordAudit(db(), { tenantId: run.tenantId, actorUserId: run.requestedByUserId, action: "sync.failed", target: `quickbooks:${run.environment}:${run.realmId}`, outcome: "failure", details: { runId, message } });
    await recordSyncError({ tenantId: run.tenantId, kind: error instanceof IntuitApiError ? error.kind : "internal" });
  }
  return run ?? null;
}
