import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { reconciliationLines } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { reconciliationLineNotFound } from "./errors";
import { lockOpenReconciliation, type ReconciliationLine } from "./store/reconciliations";

export interface ExplainReconciliationLineOptions {
  tenantId: string;
  reconciliationId: number;
  lineId: number;
  /** Why the difference is acceptable ("Deposit in transit…"); empty takes the explanation back. */
  explanation: string;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/**
 * Records why a line's difference is acceptable; an empty explanation takes it back. Open reconciliations only,
 * checked in the transaction that changes the line, under the reconciliation's lock: against a close at the same
 * moment, the explanation either lands first (and the close, which waits for it, has it in its snapshot) or waits for
 * the close and is refused (409).
 */
export async function explainReconciliationLine(input: ExplainReconciliationLineOptions): Promise<ReconciliationLine> {
  const explanation = input.explanation.trim() || null;
  return db().transaction(async (tx) => {
    await lockOpenReconciliation(tx, input.tenantId, input.reconciliationId, "share");
    const [line] = await tx
      .update(reconciliationLines)
      .set({ explanation, explainedByUserId: explanation ? input.actorUserId : null, explainedAt: explanation ? new Date() : null })
      .where(and(eq(reconciliationLines.tenantId, input.tenantId), eq(reconciliationLines.reconciliationId, input.reconciliationId), eq(reconciliationLines.id, input.lineId)))
      .returning();
    if (!line) throw reconciliationLineNotFound();
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
