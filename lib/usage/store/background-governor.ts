import "server-only";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { backgroundGovernor } from "@/db/schema";
import type { GovernorDecision } from "../rules/governor";

export type GovernorRow = typeof backgroundGovernor.$inferSelect;

/** The governor's last decision for an app, or null (never stretched). */
export async function readGovernorRow(appKey: string): Promise<GovernorRow | null> {
  const [row] = await db().select().from(backgroundGovernor).where(eq(backgroundGovernor.appKey, appKey));
  return row ?? null;
}

/** Stores a decision with the numbers the console states (the sweeps read its factor). */
export async function saveGovernorDecision(appKey: string, decision: GovernorDecision, figures: { quota: number; used: number }, decidedAt: Date): Promise<void> {
  const values = {
    level: decision.level,
    factor: decision.factor,
    changedAt: decision.changedAt,
    usedAtChange: decision.usedAtChange,
    decidedAt,
    quota: figures.quota,
    room: decision.room,
    used: figures.used,
    projected: decision.projected,
  };
  await db()
    .insert(backgroundGovernor)
    .values({ appKey, ...values })
    .onConflictDoUpdate({ target: backgroundGovernor.appKey, set: values });
}
