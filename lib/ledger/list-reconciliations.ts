import "server-only";
import { desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { reconciliations } from "@/db/schema";
import type { Reconciliation } from "./store/reconciliations";

/** The tenant's latest reconciliations, newest first. */
export async function listReconciliations(tenantId: string, limit = 24): Promise<Reconciliation[]> {
  return db().select().from(reconciliations).where(eq(reconciliations.tenantId, tenantId)).orderBy(desc(reconciliations.createdAt), desc(reconciliations.id)).limit(limit);
}
