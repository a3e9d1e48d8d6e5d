import "server-only";
import { db } from "@/db";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { reconciliationNotFound } from "./errors";
import { readReconciliation } from "./read-reconciliation";
import { reconciliationCsv } from "./rules/reconciliation-csv";

export interface ExportReconciliationOptions {
  tenantId: string;
  reconciliationId: number;
  actorUserId: string | null;
  actorApiKeyId?: string | null;
  meta?: RequestMeta;
}

/** The reconciliation's CSV for a download, recorded in the access history (who, which, how many lines). */
export async function exportReconciliation(input: ExportReconciliationOptions): Promise<{ filename: string; csv: string }> {
  const read = await readReconciliation(input.tenantId, input.reconciliationId);
  if (!read) throw reconciliationNotFound();
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
