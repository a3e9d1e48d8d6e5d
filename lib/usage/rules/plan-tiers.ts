// Intuit's App Partner Program tiers and the monthly CorePlus quota each comes with (intuit.md §9: Builder is Intuit's
// own figure; Silver, Gold and Platinum are reported by a secondary source, so a plan may set its own quota). Pure and
// free of server code: the plan form shows the same defaults the server applies.

export const PLAN_TIERS = ["builder", "silver", "gold", "platinum", "custom"] as const;
export type PlanTier = (typeof PLAN_TIERS)[number];

/** The monthly CorePlus quota a tier starts from; custom has none (its quota must be given). */
export const TIER_QUOTAS: Record<Exclude<PlanTier, "custom">, number> = {
  builder: 500_000,
  silver: 1_000_000,
  gold: 10_000_000,
  platinum: 75_000_000,
};

export const TIER_LABELS: Record<PlanTier, string> = {
  builder: "Builder (free)",
  silver: "Silver",
  gold: "Gold",
  platinum: "Platinum",
  custom: "Custom",
};

/** The largest quota a plan may hold: the column is a PostgreSQL integer. */
export const MAX_MONTHLY_QUOTA = 2_000_000_000;

export function isPlanTier(value: unknown): value is PlanTier {
  return typeof value === "string" && (PLAN_TIERS as readonly string[]).includes(value);
}

/** The quota a tier comes with, or null for custom (and for a tier this code does not know). */
export function tierQuota(tier: string): number | null {
  return isPlanTier(tier) && tier !== "custom" ? TIER_QUOTAS[tier] : null;
}

/** The next tier up with a larger quota than `quota`, to name in "what to do"; null above Platinum. */
export function nextTierAbove(quota: number): { tier: PlanTier; quota: number } | null {
  for (const tier of ["silver", "gold", "platinum"] as const) if (TIER_QUOTAS[tier] > quota) return { tier, quota: TIER_QUOTAS[tier] };
  return null;
}
