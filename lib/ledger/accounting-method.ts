import "server-only";
import { eq } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { ledgerSettings } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { ACCOUNTING_METHODS, type AccountingMethod } from "@/lib/intuit/trial-balance";

// The tenant's accounting method: the basis of the Trial Balance its reconciliations read (issue 17). Accrual until an
// accountant says otherwise, as in QuickBooks Online itself.

export const DEFAULT_ACCOUNTING_METHOD: AccountingMethod = "Accrual";

/** The tenant's accounting method: accrual when none was chosen. */
export async function readAccountingMethod(tenantId: string, executor: Executor = db()): Promise<AccountingMethod> {
  const [row] = await executor.select({ method: ledgerSettings.accountingMethod }).from(ledgerSettings).where(eq(ledgerSettings.tenantId, tenantId));
  return ACCOUNTING_METHODS.find((m) => m === row?.method) ?? DEFAULT_ACCOUNTING_METHOD;
}

/** Sets it, with its before and after in the audit trail; setting the same method again changes and records nothing. */
export async function setAccountingMethod(input: { tenantId: string; accountingMethod: AccountingMethod; actorUserId: string; meta?: RequestMeta }): Promise<AccountingMethod> {
  return db().transaction(async (tx) => {
    const before = await readAccountingMethod(input.tenantId, tx);
    if (before === input.accountingMethod) return before;
    const values = { accountingMethod: input.accountingMethod, updatedByUserId: input.actorUserId, updatedAt: new Date() };
    await tx
      .insert(ledgerSettings)
      .values({ tenantId: input.tenantId, ...values })
      .onConflictDoUpdate({ target: ledgerSettings.tenantId, set: values });
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "ledger.accounting_method_changed",
      target: `tenant:${input.tenantId}`,
      outcome: "success",
      details: { before, after: input.accountingMethod },
      meta: input.meta,
    });
    return input.accountingMethod;
  });
}
