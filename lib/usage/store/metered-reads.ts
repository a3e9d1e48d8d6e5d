import "server-only";
import { and, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import { intuitUsageDaily } from "@/db/schema";
import type { ReadCause } from "@/lib/intuit/operations";
import { usageDayOf } from "../rules/quota-month";

const u = intuitUsageDaily;

export interface MeteredReadsQuery {
  appKey: string;
  /** First instant counted (its UTC day included). */
  from: Date;
  /** First instant not counted (its UTC day excluded). */
  to: Date;
  tenantId?: string;
  causes?: readonly ReadCause[];
}

/** Production CorePlus reads of an app between two days: what Intuit meters against the app's quota. */
export async function meteredReadsBetween(query: MeteredReadsQuery): Promise<number> {
  const conditions: SQL[] = [
    eq(u.appKey, query.appKey),
    eq(u.environment, "production"),
    eq(u.category, "coreplus"),
    gte(u.day, usageDayOf(query.from)),
    lt(u.day, usageDayOf(query.to)),
  ];
  if (query.tenantId) conditions.push(eq(u.tenantId, query.tenantId));
  if (query.causes) conditions.push(inArray(u.cause, [...query.causes]));
  const [row] = await db()
    .select({ calls: sql<number>`coalesce(sum(${u.calls}), 0)::int` })
    .from(u)
    .where(and(...conditions));
  return row?.calls ?? 0;
}
