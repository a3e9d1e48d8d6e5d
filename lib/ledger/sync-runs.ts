import "server-only";
import { and, desc, eq, gte, lt, or, sql } from "drizzle-orm";
import { db } from "@/db";
import { accountMappings, qboAccounts, quickbooksChanges, syncRuns } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { countAccounts, getChangeDataCapture, queryAccountPage } from "@/lib/intuit/api-client";
import { IntuitApiError } from "@/lib/intuit/faults";
import { recordSyncError } from "@/lib/metrics/record";
import { describeApiError } from "@/lib/quickbooks/client/intuit-errors";
import { callQuickBooks } from "@/lib/quickbooks/client/qbo-client";
import { fingerprintOf, latestValidation, readMappingSet } from "./mappings";
import { activeConnectionFor, storeAccounts, type ChartConnection } from "./qbo-chart";

// Sync runs: pull the QuickBooks chart of accounts and balances into qbo_accounts, through the job queue. The first
// run of a connection is full (every account, page by page); later ones fetch only what changed since the last
// success (change data capture, plus the webhook change records). Each page is one transaction that stores the
// accounts and moves the run's cursor, so a run that stops part-way (a crash, an outage) resumes at the next page,
// and the upserts make a repeated page change nothing.

export type SyncRun = typeof syncRuns.$inferSelect;

/** Accounts per page: small enough that the progress bar moves, large enough to stay well inside Intuit's rate. */
export const SYNC_PAGE_SIZE = 250;
/** A running run whose heartbeat is this old was abandoned by a process that died: the sweep resumes it. */
export const ABANDONED_AFTER_MS = 2 * 60 * 1000;
/** Changes-only runs look back a little before the last success, in case a change landed during it. */
export const CHANGES_OVERLAP_MS = 5 * 60 * 1000;
/** Ids per "Id in (…)" query of a changes-only run. */
const IDS_PER_QUERY = 100;

export function syncRefused(message: string): AppError {
  return new AppError("sync_refused", 409, message);
}

/**
 * The sandbox-first rule: a production sync needs the current mapping set to have passed validation against the
 * sandbox connection. Returns the reason it may not run, or null.
 */
export async function productionSyncBlocker(tenantId: string): Promise<string | null> {
  const validation = await latestValidation(tenantId, "sandbox");
  if (!validation) return "The mappings have never been validated in the sandbox. Validate them against the sandbox company first.";
  if (!validation.current) return "The mappings changed since their last sandbox validation. Validate them in the sandbox again.";
  if (!validation.passed) return `The last sandbox validation found ${validation.issues.length} problem(s). Fix them and validate again.`;
  return null;
}

/** Queues a sync of the tenant's connection (its chosen environment by default). One at a time per connection. */
export async function requestSync(input: { tenantId: string; environment?: IntuitEnvironment; actorUserId: string | null; meta?: RequestMeta }): Promise<SyncRun> {
  const connection = await activeConnectionFor(input.tenantId, input.environment);
  const target = `quickbooks:${connection.environment}:${connection.realmId}`;
  if (connection.environment === "production") {
    const blocker = await productionSyncBlocker(input.tenantId);
    if (blocker) {
      await recordAudit(db(), { tenantId: input.tenantId, actorUserId: input.actorUserId, action: "sync.refused", target, outcome: "failure", details: { reason: blocker }, meta: input.meta });
      throw syncRefused(blocker);
    }
  }
  const [lastSuccess] = await db()
    .select({ startedAt: syncRuns.startedAt })
    .from(syncRuns)
    .where(and(eq(syncRuns.tenantId, input.tenantId), eq(syncRuns.environment, connection.environment), eq(syncRuns.realmId, connection.realmId), eq(syncRuns.status, "succeeded")))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  const fingerprint = fingerprintOf(await readMappingSet(input.tenantId));
  return db().transaction(async (tx) => {
    const [run] = await tx
      .insert(syncRuns)
      .values({
        tenantId: input.tenantId,
        environment: connection.environment,
        realmId: connection.realmId,
        mode: lastSuccess?.startedAt ? "changes" : "full",
        changedSince: lastSuccess?.startedAt ? new Date(lastSuccess.startedAt.getTime() - CHANGES_OVERLAP_MS) : null,
        mappingFingerprint: fingerprint,
        requestedByUserId: input.actorUserId,
      })
      .onConflictDoNothing()
      .returning();
    if (!run) throw new AppError("sync_in_progress", 409, "A sync of this connection is already queued or running. Its progress is shown on the page.");
    await recordAudit(tx, { tenantId: input.tenantId, actorUserId: input.actorUserId, action: "sync.requested", target, outcome: "success", details: { runId: run.id, mode: run.mode }, meta: input.meta });
    return run;
  });
}

/** Puts a failed run back in the queue; it continues from its cursor. */
export async function resumeSync(tenantId: string, runId: number): Promise<SyncRun> {
  // One queued or running sync per connection (sync_runs_one_active_uq): say so instead of hitting the index.
  const [failed] = await db()
    .select({ environment: syncRuns.environment })
    .from(syncRuns)
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.tenantId, tenantId), eq(syncRuns.status, "failed")));
  if (failed) {
    const [active] = await db()
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.tenantId, tenantId), eq(syncRuns.environment, failed.environment), or(eq(syncRuns.status, "queued"), eq(syncRuns.status, "running"))));
    if (active) throw new AppError("sync_in_progress", 409, `Sync run #${active.id} is already queued or running. Resume this one after it ends.`);
  }
  const [run] = await db()
    .update(syncRuns)
    .set({ status: "queued", errorMessage: null, finishedAt: null })
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.tenantId, tenantId), eq(syncRuns.status, "failed")))
    .returning();
  if (!run) throw new AppError("not_resumable", 409, "Only a failed sync can be resumed.");
  return run;
}

/** Takes a queued run, or one abandoned by a dead process; null when another process has it. */
async function claim(runId: number, now: Date): Promise<SyncRun | null> {
  const [run] = await db()
    .update(syncRuns)
    .set({ status: "running", startedAt: sql`coalesce(${syncRuns.startedAt}, ${now.toISOString()}::timestamptz)`, heartbeatAt: now })
    .where(
      and(
        eq(syncRuns.id, runId),
        or(eq(syncRuns.status, "queued"), and(eq(syncRuns.status, "running"), lt(syncRuns.heartbeatAt, new Date(now.getTime() - ABANDONED_AFTER_MS)))),
      ),
    )
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
async function changedAccountIds(run: SyncRun, connection: ChartConnection): Promise<string[] | null> {
  const since = run.changedSince!;
  const cdc = await callQuickBooks({ tenantId: run.tenantId, environment: run.environment, background: true }, "cdc", (input) =>
    getChangeDataCapture({ ...input, entities: ["Account"], changedSince: since }),
  );
  const recorded = await db()
    .selectDistinct({ id: quickbooksChanges.entityId })
    .from(quickbooksChanges)
    .where(and(eq(quickbooksChanges.tenantId, run.tenantId), eq(quickbooksChanges.realmId, connection.realmId), eq(quickbooksChanges.entity, "account"), gte(quickbooksChanges.changedAt, since)));
  // CDC caps its answer at 1,000 objects and says nothing of the rest: then only a full pass is sure.
  if (cdc.capped) return null;
  const ids = new Set([...cdc.changes.filter((c) => c.entity === "account").map((c) => c.entityId), ...recorded.map((r) => r.id)]);
  return [...ids].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

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
  const caller = { tenantId: run.tenantId, environment: run.environment, background: true };
  try {
    const current = await activeConnectionFor(run.tenantId, run.environment);
    if (current.realmId !== run.realmId) throw syncRefused("The QuickBooks connection changed since this sync was requested.");

    if (run.mode === "changes") {
      const ids = await changedAccountIds(run, connection);
      if (ids === null) {
        // More changes than CDC reports in one answer: this run becomes a full one.
        run = await updateRun(run.id, { mode: "full", cursor: 0, total: null });
      } else {
        // The list is read again on a resume (new changes may have joined it), so the run starts it over: stored pages
        // are upserts, and an unchanged account is not rewritten.
        run = await updateRun(run.id, { total: ids.length, cursor: 0, processed: 0 });
        run = await syncIds(run, connection, caller, ids, options);
      }
    }
    if (run.mode === "full") {
      if (run.total === null) {
        const { count } = await callQuickBooks(caller, "query", countAccounts);
        run = await updateRun(run.id, { total: count });
      }
      for (;;) {
        const from = run.cursor;
        const page = await callQuickBooks(caller, "query", (input) => queryAccountPage({ ...input, startPosition: from + 1, maxResults: SYNC_PAGE_SIZE }));
        const received = page.accounts.length + page.rejected;
        run = await advance(run, connection, { accounts: page.accounts, rejected: page.rejected, cursorAfter: from + received });
        await options.onPage?.(run);
        // A short page is the last; so is reaching the count (an account added meanwhile comes with the next sync).
        if (received < SYNC_PAGE_SIZE || (run.total !== null && run.cursor >= run.total)) break;
      }
    }
    return await finish(run, connection);
  } catch (error) {
    return fail(runId, error);
  }
}

async function updateRun(runId: number, set: Partial<typeof syncRuns.$inferInsert>): Promise<SyncRun> {
  const [run] = await db().update(syncRuns).set(set).where(eq(syncRuns.id, runId)).returning();
  return run!;
}

async function syncIds(run: SyncRun, connection: ChartConnection, caller: { tenantId: string; environment: IntuitEnvironment; background: boolean }, ids: readonly string[], options: RunSyncOptions): Promise<SyncRun> {
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

/** The sweep: queued runs, and running ones abandoned by a dead process, oldest first. */
export async function runPendingSyncs(now = new Date(), limit = 5): Promise<number> {
  const due = await db()
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(or(eq(syncRuns.status, "queued"), and(eq(syncRuns.status, "running"), lt(syncRuns.heartbeatAt, new Date(now.getTime() - ABANDONED_AFTER_MS)))))
    .orderBy(syncRuns.createdAt)
    .limit(limit);
  let ran = 0;
  for (const { id } of due) if (await runSync(id, { now })) ran++;
  return ran;
}

/** The latest runs of the tenant, newest first, for the page and the run log. */
export async function listSyncRuns(tenantId: string, limit = 20): Promise<SyncRun[]> {
  return db().select().from(syncRuns).where(eq(syncRuns.tenantId, tenantId)).orderBy(desc(syncRuns.createdAt), desc(syncRuns.id)).limit(limit);
}

export async function findSyncRun(tenantId: string, runId: number): Promise<SyncRun | null> {
  const [run] = await db().select().from(syncRuns).where(and(eq(syncRuns.tenantId, tenantId), eq(syncRuns.id, runId)));
  return run ?? null;
}
