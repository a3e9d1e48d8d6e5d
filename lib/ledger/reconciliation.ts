import "server-only";
import { stringify } from "csv-stringify/sync";
import { and, asc, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { qboAccounts, reconciliationLines, reconciliations, syncRuns } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { neutraliseFormula } from "@/lib/logs/columns";
import { readMappingSet, type MappingRow } from "./mappings";
import { activeConnectionFor } from "./qbo-chart";

// Reconciliation: per mapped account, AWRA's balance against QuickBooks' as of the latest sync, the difference and
// the totals. A difference is explained (a deposit in transit…) or it turns the sync indicator red. Closing the
// month stores the snapshot for good: the database refuses any change to a closed reconciliation (migration 0010).

export type Reconciliation = typeof reconciliations.$inferSelect;
export type ReconciliationLine = typeof reconciliationLines.$inferSelect;

/** Money as integer cents, so sums and differences are exact. */
export const toCents = (amount: string | number): number => Math.round(Number(amount) * 100);
export const fromCents = (cents: number): string => (cents / 100).toFixed(2);

export interface LineDraft {
  ledgerAccountId: string | null;
  code: string;
  name: string;
  qboAccountId: string | null;
  qboAccountName: string | null;
  awraBalance: string;
  qboBalance: string | null;
  difference: string;
}

/**
 * One line per QuickBooks account (AWRA accounts that share one are added up against it), plus a line for each
 * unmapped AWRA account that has a balance: QuickBooks has nothing to hold it, so all of it is a difference.
 */
export function draftLines(set: readonly MappingRow[], qboBalances: ReadonlyMap<string, { name: string; balance: string }>): LineDraft[] {
  const byTarget = new Map<string, MappingRow[]>();
  const lines: LineDraft[] = [];
  for (const row of set) {
    if (row.qboAccountId === null) {
      if (toCents(row.balance) !== 0) {
        lines.push({ ledgerAccountId: row.ledgerAccountId, code: row.code, name: row.name, qboAccountId: null, qboAccountName: null, awraBalance: fromCents(toCents(row.balance)), qboBalance: null, difference: fromCents(toCents(row.balance)) });
      }
      continue;
    }
    byTarget.set(row.qboAccountId, [...(byTarget.get(row.qboAccountId) ?? []), row]);
  }
  for (const [qboId, rows] of byTarget) {
    const awra = rows.reduce((sum, row) => sum + toCents(row.balance), 0);
    const qbo = qboBalances.get(qboId);
    const qboCents = qbo ? toCents(qbo.balance) : null;
    lines.push({
      ledgerAccountId: rows.length === 1 ? rows[0]!.ledgerAccountId : null,
      code: rows.map((r) => r.code).join(" + "),
      name: rows.map((r) => r.name).join(" + "),
      qboAccountId: qboId,
      qboAccountName: qbo?.name ?? rows[0]!.qboAccountName,
      awraBalance: fromCents(awra),
      qboBalance: qboCents === null ? null : fromCents(qboCents),
      difference: fromCents(awra - (qboCents ?? 0)),
    });
  }
  return lines.sort((a, b) => a.code.localeCompare(b.code, "en", { numeric: true }));
}

export interface ReconciliationTotals {
  awra: string;
  qbo: string;
  difference: string;
  differences: number;
  unexplained: number;
}

export function totalsOf(lines: readonly Pick<ReconciliationLine, "awraBalance" | "qboBalance" | "difference" | "explanation">[]): ReconciliationTotals {
  const differing = lines.filter((l) => toCents(l.difference) !== 0);
  return {
    awra: fromCents(lines.reduce((sum, l) => sum + toCents(l.awraBalance), 0)),
    qbo: fromCents(lines.reduce((sum, l) => sum + (l.qboBalance === null ? 0 : toCents(l.qboBalance)), 0)),
    difference: fromCents(lines.reduce((sum, l) => sum + toCents(l.difference), 0)),
    differences: differing.length,
    unexplained: differing.filter((l) => !l.explanation).length,
  };
}

const periodOf = (date: Date) => date.toISOString().slice(0, 7);

/** Reconciles the current mapping set against the QuickBooks balances of the latest successful sync. */
export async function createReconciliation(input: { tenantId: string; environment?: IntuitEnvironment; actorUserId: string | null; meta?: RequestMeta; period?: string }): Promise<Reconciliation> {
  const connection = await activeConnectionFor(input.tenantId, input.environment);
  const [sync] = await db()
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.tenantId, input.tenantId), eq(syncRuns.environment, connection.environment), eq(syncRuns.realmId, connection.realmId), eq(syncRuns.status, "succeeded")))
    .orderBy(desc(syncRuns.finishedAt))
    .limit(1);
  if (!sync) throw new AppError("sync_required", 409, "Run a sync first: the reconciliation compares against the QuickBooks balances it brings in.");
  const balances = await db()
    .select({ id: qboAccounts.qboId, name: qboAccounts.name, balance: qboAccounts.currentBalance })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, input.tenantId), eq(qboAccounts.environment, connection.environment), eq(qboAccounts.realmId, connection.realmId)));
  const lines = draftLines(await readMappingSet(input.tenantId), new Map(balances.map((b) => [b.id, b])));
  const asOf = (sync.finishedAt ?? new Date()).toISOString().slice(0, 10);
  const period = input.period ?? periodOf(sync.finishedAt ?? new Date());

  return db().transaction(async (tx) => {
    const [created] = await tx
      .insert(reconciliations)
      .values({ tenantId: input.tenantId, environment: connection.environment, realmId: connection.realmId, period, asOf, syncRunId: sync.id, createdByUserId: input.actorUserId })
      .returning();
    if (lines.length > 0) await tx.insert(reconciliationLines).values(lines.map((line) => ({ ...line, reconciliationId: created!.id, tenantId: input.tenantId })));
    const totals = totalsOf(lines.map((l) => ({ ...l, explanation: null })));
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "reconciliation.created",
      target: `reconciliation:${created!.id}`,
      outcome: "success",
      details: { period, asOf, lines: lines.length, differences: totals.differences },
      meta: input.meta,
    });
    return created!;
  });
}

export async function readReconciliation(tenantId: string, id: number): Promise<{ reconciliation: Reconciliation; lines: ReconciliationLine[]; totals: ReconciliationTotals } | null> {
  const [reconciliation] = await db().select().from(reconciliations).where(and(eq(reconciliations.tenantId, tenantId), eq(reconciliations.id, id)));
  if (!reconciliation) return null;
  const lines = await db()
    .select()
    .from(reconciliationLines)
    .where(and(eq(reconciliationLines.tenantId, tenantId), eq(reconciliationLines.reconciliationId, id)))
    .orderBy(asc(reconciliationLines.id));
  return { reconciliation, lines, totals: totalsOf(lines) };
}

export async function listReconciliations(tenantId: string, limit = 24): Promise<Reconciliation[]> {
  return db().select().from(reconciliations).where(eq(reconciliations.tenantId, tenantId)).orderBy(desc(reconciliations.createdAt), desc(reconciliations.id)).limit(limit);
}

function closedError(): AppError {
  return new AppError("reconciliation_closed", 409, "This reconciliation is closed: the month-end snapshot cannot change. Start a new reconciliation instead.");
}

async function openReconciliation(tenantId: string, id: number): Promise<Reconciliation> {
  const [row] = await db().select().from(reconciliations).where(and(eq(reconciliations.tenantId, tenantId), eq(reconciliations.id, id)));
  if (!row) throw new AppError("not_found", 404, "That reconciliation does not exist.");
  if (row.status === "closed") throw closedError();
  return row;
}

/** Records why a line's difference is acceptable; an empty explanation takes it back. */
export async function explainLine(input: { tenantId: string; reconciliationId: number; lineId: number; explanation: string; actorUserId: string | null; meta?: RequestMeta }): Promise<ReconciliationLine> {
  await openReconciliation(input.tenantId, input.reconciliationId);
  const explanation = input.explanation.trim() || null;
  return db().transaction(async (tx) => {
    const [line] = await tx
      .update(reconciliationLines)
      .set({ explanation, explainedByUserId: explanation ? input.actorUserId : null, explainedAt: explanation ? new Date() : null })
      .where(and(eq(reconciliationLines.tenantId, input.tenantId), eq(reconciliationLines.reconciliationId, input.reconciliationId), eq(reconciliationLines.id, input.lineId)))
      .returning();
    if (!line) throw new AppError("not_found", 404, "That reconciliation line does not exist.");
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "reconciliation.explained",
      target: `reconciliation:${input.reconciliationId}:${line.code}`,
      outcome: "success",
      details: { difference: line.difference, explained: explanation !== null },
      meta: input.meta,
    });
    return line;
  });
}

/** Closes the month: the reconciliation becomes the period's stored snapshot. One closed reconciliation per period. */
export async function closeReconciliation(input: { tenantId: string; reconciliationId: number; actorUserId: string | null; meta?: RequestMeta }): Promise<Reconciliation> {
  const open = await openReconciliation(input.tenantId, input.reconciliationId);
  const [other] = await db()
    .select({ id: reconciliations.id })
    .from(reconciliations)
    .where(and(eq(reconciliations.tenantId, input.tenantId), eq(reconciliations.environment, open.environment), eq(reconciliations.period, open.period), eq(reconciliations.status, "closed")));
  if (other) throw new AppError("period_closed", 409, `${open.period} is already closed (reconciliation ${other.id}).`);
  const read = (await readReconciliation(input.tenantId, input.reconciliationId))!;
  return db().transaction(async (tx) => {
    const [closed] = await tx
      .update(reconciliations)
      .set({ status: "closed", closedAt: new Date(), closedByUserId: input.actorUserId })
      .where(and(eq(reconciliations.id, input.reconciliationId), eq(reconciliations.tenantId, input.tenantId), eq(reconciliations.status, "open")))
      .returning();
    if (!closed) throw closedError();
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "reconciliation.closed",
      target: `reconciliation:${closed.id}`,
      outcome: "success",
      details: { period: closed.period, difference: read.totals.difference, unexplained: read.totals.unexplained },
      meta: input.meta,
    });
    return closed;
  });
}

export const RECONCILIATION_CSV_COLUMNS = ["code", "name", "qbo_account_id", "qbo_account_name", "awra_balance", "qbo_balance", "difference", "explanation", "explained_at"] as const;

/** The reconciliation as CSV: a header, one row per line, a totals row; formula-like cells neutralised. */
export function reconciliationCsv(read: { reconciliation: Reconciliation; lines: ReconciliationLine[]; totals: ReconciliationTotals }): string {
  const cell = (value: string | null) => (value === null ? "" : neutraliseFormula(value));
  const rows = read.lines.map((l) => [
    cell(l.code),
    cell(l.name),
    cell(l.qboAccountId),
    cell(l.qboAccountName),
    l.awraBalance,
    l.qboBalance ?? "",
    l.difference,
    cell(l.explanation),
    l.explainedAt?.toISOString() ?? "",
  ]);
  rows.push(["TOTAL", "", "", "", read.totals.awra, read.totals.qbo, read.totals.difference, "", ""]);
  return stringify([[...RECONCILIATION_CSV_COLUMNS], ...rows], { eof: true, record_delimiter: "\r\n" });
}

/** The reconciliation's CSV for a download, recorded in the access history (who, which, how many lines). */
export async function exportReconciliation(input: {
  tenantId: string;
  reconciliationId: number;
  actorUserId: string | null;
  actorApiKeyId?: string | null;
  meta?: RequestMeta;
}): Promise<{ filename: string; csv: string }> {
  const read = await readReconciliation(input.tenantId, input.reconciliationId);
  if (!read) throw new AppError("not_found", 404, "That reconciliation does not exist.");
  await recordAudit(db(), {
    tenantId: input.tenantId,
    actorUserId: input.actorUserId,
    actorApiKeyId: input.actorApiKeyId,
    action: "reconciliation.exported",
    target: `reconciliation:${read.reconciliation.id}`,
    outcome: "success",
    details: { period: read.reconciliation.period, lines: read.lines.length },
    meta: input.meta,
  });
  return { filename: `reconciliation-${read.reconciliation.period}-${read.reconciliation.id}.csv`, csv: reconciliationCsv(read) };
}
