import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { ledgerAccounts, qboAccounts, reconciliationLines, reconciliations, syncRuns } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { getTrialBalance, type AccountingMethod, type TrialBalanceReport } from "@/lib/intuit/trial-balance";
import { readAccountingMethod } from "./accounting-method";
import { callQuickBooks } from "@/lib/quickbooks/client/qbo-client";
import { emitEvent } from "@/lib/notifications/store/outbox";
import { describeApiError } from "@/lib/quickbooks/rules/intuit-failures";
import { classificationOf } from "./rules/account-types";
import { periodBalances, periodEndOf, reportRangeFor, type ChartAccountFact } from "./rules/period-balances";
import { draftLines, totalsOf } from "./rules/reconciliation-lines";
import { mappingsInCompany } from "./rules/resolve-in-production";
import { activeConnectionFor, type ChartConnection } from "./store/active-connection";
import { readMappingSet } from "./store/mapping-set";
import type { Reconciliation } from "./store/reconciliations";

// Reconciliation of period P ending on day D: per mapped account, AWRA's balance stated at D against QuickBooks' as of
// D, read from its Trial Balance report (balance-sheet accounts at D, income and expense for the fiscal year to D:
// lib/ledger/rules/period-balances.ts), never the synced CurrentBalance (today's, and balance-sheet accounts only;
// issue 17). The difference and the totals follow; a difference is explained (a deposit in transit…) or it turns the
// sync indicator red; closing the month stores the snapshot, with the report it was read from (its basis), for good.
//
// The latest sync is still required: it brings the chart, which gives each QuickBooks account id its classification
// (the sign of its balance) and is what the mappings point at.

export interface CreateReconciliationOptions {
  tenantId: string;
  /** The tenant's chosen environment by default. */
  environment?: IntuitEnvironment;
  actorUserId: string | null;
  meta?: RequestMeta;
  /** "2026-11"; by default the month of the AWRA ledger's as_of. */
  period?: string;
}

/** QuickBooks' default fiscal year, used when CompanyInfo did not state FiscalYearStartMonth. */
export const DEFAULT_FISCAL_YEAR_START_MONTH = 1;

/** Reconciles the current mapping set against QuickBooks' Trial Balance as of the period's last day. */
export async function createReconciliation(input: CreateReconciliationOptions): Promise<Reconciliation> {
  const connection = await activeConnectionFor(input.tenantId, input.environment);
  const sync = await latestSuccessfulSync(connection);
  if (!sync) throw new AppError("sync_required", 409, "Run a sync first: it brings in the QuickBooks chart of accounts the mappings point at.");

  const ledgerAsOf = await ledgerAsOfFor(input.tenantId);
  const period = input.period ?? ledgerAsOf.slice(0, 7);
  const periodEnd = periodEndOf(period);
  if (ledgerAsOf !== periodEnd) {
    throw new AppError(
      "ledger_date_mismatch",
      409,
      `The AWRA ledger is stated as of ${ledgerAsOf}, but period ${period} ends on ${periodEnd}: the two sides would not be compared at the same date. Load the AWRA ledger stated as of ${periodEnd}, then reconcile again.`,
      { details: { period, periodEnd, ledgerAsOf } },
    );
  }

  const chart = await chartOf(connection);
  const accountingMethod = await readAccountingMethod(input.tenantId);
  const fiscalYearStartMonth = connection.fiscalYearStartMonth ?? DEFAULT_FISCAL_YEAR_START_MONTH;
  const range = reportRangeFor(periodEnd, fiscalYearStartMonth);
  const { report, intuitTid, readAt } = await readTrialBalance(connection, input.actorUserId, { ...range, accountingMethod });

  const { balances, unclassified } = periodBalances(report.accounts, chart);
  // In production, each mapping's confirmed production account; one not confirmed there is a line without one.
  const lines = draftLines(mappingsInCompany(await readMappingSet(input.tenantId), connection.environment, connection.realmId), balances);
  // Accounts the report lists and the synced chart does not know (created since the sync, or of a type without a
  // classification): no sign, so no balance. Safe to go on: a mapping can only point at an account of the chart, so
  // none of them is on a line; they are named in the audit event so that a sync can bring them in.
  const notInChart = unclassified.map((a) => ({ accountId: a.accountId, name: a.name }));

  return db().transaction(async (tx) => {
    const [created] = await tx
      .insert(reconciliations)
      .values({
        tenantId: input.tenantId,
        environment: connection.environment,
        realmId: connection.realmId,
        period,
        asOf: periodEnd,
        syncRunId: sync.id,
        reportEndDate: report.header.endPeriod,
        reportStartDate: report.header.startPeriod ?? range.startDate,
        accountingMethod: report.header.basis,
        reportReadAt: readAt,
        reportIntuitTid: intuitTid,
        createdByUserId: input.actorUserId,
      })
      .returning();
    if (lines.length > 0) await tx.insert(reconciliationLines).values(lines.map((line) => ({ ...line, reconciliationId: created!.id, tenantId: input.tenantId })));
    const totals = totalsOf(lines.map((l) => ({ ...l, explanation: null })));
    if (totals.unexplained > 0) {
      await emitEvent(tx, {
        tenantId: input.tenantId,
        type: "reconciliation.differences",
        data: { reconciliationId: created!.id, period, environment: connection.environment, unexplained: totals.unexplained },
        dedupeKey: `reconciliation:${created!.id}`,
      });
    }
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "reconciliation.created",
      target: `reconciliation:${created!.id}`,
      outcome: "success",
      details: {
        period,
        asOf: periodEnd,
        lines: lines.length,
        differences: totals.differences,
        report: report.header.reportName,
        reportStartDate: range.startDate,
        reportEndDate: report.header.endPeriod,
        accountingMethod: report.header.basis,
        intuitTid,
        fiscalYearStartMonth,
        // January assumed: CompanyInfo did not state FiscalYearStartMonth (or the connection was verified before it was kept).
        fiscalYearStartMonthAssumed: connection.fiscalYearStartMonth === null,
        notInChart: notInChart.length,
        notInChartAccounts: notInChart.map((a) => `${a.accountId} ${a.name}`).join("; ") || null,
        reportProblems: report.problems.map((p) => `${p.row}: ${p.message}`).join("; ") || null,
      },
      meta: input.meta,
    });
    return created!;
  });
}

/** The date the AWRA ledger is stated at: every row shares one as_of (an import replaces the whole ledger). */
async function ledgerAsOfFor(tenantId: string): Promise<string> {
  const rows = await db().selectDistinct({ asOf: ledgerAccounts.asOf }).from(ledgerAccounts).where(eq(ledgerAccounts.tenantId, tenantId)).orderBy(desc(ledgerAccounts.asOf)).limit(2);
  if (rows.length === 0) throw new AppError("ledger_empty", 409, "Load the AWRA ledger first: the reconciliation compares its balances with QuickBooks'.");
  if (rows.length > 1) throw new AppError("ledger_date_mismatch", 409, "The AWRA ledger's accounts are stated at different dates. Load the whole ledger stated as of the period's last day, then reconcile again.");
  return rows[0]!.asOf;
}

/** The synced chart: each QuickBooks account's name and classification, by id. */
async function chartOf(connection: ChartConnection): Promise<Map<string, ChartAccountFact>> {
  const rows = await db()
    .select({ id: qboAccounts.qboId, name: qboAccounts.name, accountType: qboAccounts.accountType, classification: qboAccounts.classification })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, connection.tenantId), eq(qboAccounts.environment, connection.environment), eq(qboAccounts.realmId, connection.realmId)));
  return new Map(rows.map((r) => [r.id, { name: r.name, classification: classificationOf(r) }]));
}

/** The Trial Balance through the one API client (a metered CorePlus read, caused by the person reconciling). */
async function readTrialBalance(
  connection: ChartConnection,
  actorUserId: string | null,
  request: { startDate: string; endDate: string; accountingMethod: AccountingMethod },
): Promise<{ report: TrialBalanceReport; intuitTid: string | null; readAt: Date }> {
  try {
    const result = await callQuickBooks({ tenantId: connection.tenantId, environment: connection.environment, cause: "user", actorUserId }, "report", (callInput) => getTrialBalance({ ...callInput, ...request }));
    if (result.realmId !== connection.realmId) throw new AppError("connection_changed", 409, "The QuickBooks connection changed while its Trial Balance was being read. Try again.");
    if (result.report.header.endPeriod !== request.endDate) {
      throw new AppError("report_mismatch", 502, `QuickBooks answered a Trial Balance as of ${result.report.header.endPeriod} when ${request.endDate} was asked. Try again.`);
    }
    return { report: result.report, intuitTid: result.intuitTid, readAt: new Date() };
  } catch (error) {
    if (!(error instanceof IntuitApiError)) throw error;
    throw new AppError("report_failed", 502, `QuickBooks' Trial Balance as of ${request.endDate} could not be read: ${describeApiError(error)}`, { cause: error });
  }
}

async function latestSuccessfulSync(connection: ChartConnection) {
  const [sync] = await db()
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.tenantId, connection.tenantId), eq(syncRuns.environment, connection.environment), eq(syncRuns.realmId, connection.realmId), eq(syncRuns.status, "succeeded")))
    .orderBy(desc(syncRuns.finishedAt))
    .limit(1);
  return sync ?? null;
}
