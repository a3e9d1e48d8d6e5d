import "server-only";
import { eq } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { intuitAppPlans } from "@/db/schema";

export type IntuitAppPlan = Omit<typeof intuitAppPlans.$inferSelect, "updatedAt" | "updatedByUserId"> & { updatedAt: Date | null; updatedByUserId: string | null };

/** Intuit's free Builder tier (intuit.md §9): what an app is on until someone says otherwise. */
export const DEFAULT_PLAN = { tier: "builder", monthlyQuota: 500_000, monthStartDay: 1, backgroundSharePct: 20 } as const;

/** The app's plan, or the Builder tier's defaults when nobody has set one. */
export async function readPlan(appKey: string, executor: Executor = db()): Promise<IntuitAppPlan> {
  const [row] = await executor.select().from(intuitAppPlans).where(eq(intuitAppPlans.appKey, appKey));
  return row ?? { appKey, ...DEFAULT_PLAN, readsBlockedUntil: null, updatedAt: null, updatedByUserId: null };
}
