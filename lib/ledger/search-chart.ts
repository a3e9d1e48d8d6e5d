import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { qboAccounts } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";
import { MAPPING_ENVIRONMENT } from "./rules/resolve-in-production";

export interface ChartSearch {
  tenantId: string;
  /** The sandbox by default: mappings are made there (MAPPING_ENVIRONMENT). */
  environment?: IntuitEnvironment;
  q?: string;
  /** Keyset: the last name and id of the previous page. */
  after?: { name: string; id: string };
  limit?: number;
}

/** A page of the chart for the account picker: searchable by name or type, paged by name (works at any size). */
export async function searchChart(search: ChartSearch) {
  const environment = search.environment ?? MAPPING_ENVIRONMENT;
  const limit = Math.min(Math.max(search.limit ?? 50, 1), 200);
  const q = search.q?.trim();
  // The user's text is matched literally: ilike's wildcards in it are escaped.
  const pattern = q ? `%${q.replace(/[%_\\]/g, "\\$&")}%` : null;
  const rows = await db()
    .select({
      id: qboAccounts.qboId,
      name: qboAccounts.name,
      fullyQualifiedName: qboAccounts.fullyQualifiedName,
      accountType: qboAccounts.accountType,
      classification: qboAccounts.classification,
      active: qboAccounts.active,
      currentBalance: qboAccounts.currentBalance,
    })
    .from(qboAccounts)
    .where(
      and(
        eq(qboAccounts.tenantId, search.tenantId),
        eq(qboAccounts.environment, environment),
        pattern ? sql`(${qboAccounts.name} ilike ${pattern} or ${qboAccounts.accountType} ilike ${pattern})` : undefined,
        search.after ? sql`(${qboAccounts.name}, ${qboAccounts.qboId}) > (${search.after.name}, ${search.after.id})` : undefined,
      ),
    )
    .orderBy(asc(qboAccounts.name), asc(qboAccounts.qboId))
    .limit(limit + 1);
  return { accounts: rows.slice(0, limit), hasMore: rows.length > limit };
}
