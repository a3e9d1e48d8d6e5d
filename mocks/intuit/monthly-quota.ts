// Intuit's monthly quota of metered reads (intuit.md §9): CorePlus calls (reads, queries, CompanyInfo, change data
// capture) are counted per workspace and calendar month; past the quota every further CorePlus call is refused until
// the next month, while Core calls (writes) and OAuth go on. The emulator's workspace is its client id. Which requests
// are CorePlus comes from lib/intuit/operations.ts, the table the app meters its own calls by, so the two cannot
// disagree. Plain bookkeeping on the emulator's clock; api-handlers.ts turns a refusal into Intuit's 429.

import { z } from "zod";

export interface MonthlyQuotaStats {
  /** The calendar month (UTC, on the emulator's clock) the counts are for, e.g. "2026-12". */
  month: string;
  /** CorePlus reads accepted this month. */
  reads: number;
  /** CorePlus reads refused this month because the quota was used up. */
  blocked: number;
  /** The quota in force; null: none (unlimited), the default. */
  quota: number | null;
}

export const monthlyQuotaSchema = z.strictObject({
  clientId: z.string().min(1),
  quota: z.number().int().min(0).nullable(),
});

export type MonthlyQuotaSetting = z.input<typeof monthlyQuotaSchema>;

/** The calendar month of an instant, as Intuit's quota counts it: "YYYY-MM" in UTC. */
export function calendarMonthOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

/** The first instant of the month after the one `epochMs` falls in: when a block ends. */
export function nextQuotaMonth(epochMs: number): Date {
  const at = new Date(epochMs);
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

export function createMonthlyQuota(now: () => number) {
  let quotas = new Map<string, number>();
  let usage = new Map<string, { month: string; reads: number; blocked: number }>();

  function usageOf(clientId: string) {
    const month = calendarMonthOf(now());
    let record = usage.get(clientId);
    // A new month starts from zero: the block ends when the month turns.
    if (!record || record.month !== month) {
      record = { month, reads: 0, blocked: 0 };
      usage.set(clientId, record);
    }
    return record;
  }

  /** Counts one CorePlus read of the client's workspace: true when accepted, false when the month's quota is used up. */
  function admitRead(clientId: string): boolean {
    const record = usageOf(clientId);
    const quota = quotas.get(clientId);
    if (quota !== undefined && record.reads >= quota) {
      record.blocked += 1;
      return false;
    }
    record.reads += 1;
    return true;
  }

  /** Sets (or with null removes) a client id's monthly quota until reset(). Throws a ZodError for a bad value. */
  function setQuota(setting: MonthlyQuotaSetting): MonthlyQuotaStats {
    const { clientId, quota } = monthlyQuotaSchema.parse(setting);
    if (quota === null) quotas.delete(clientId);
    else quotas.set(clientId, quota);
    return statsOf(clientId);
  }

  function statsOf(clientId: string): MonthlyQuotaStats {
    return { ...usageOf(clientId), quota: quotas.get(clientId) ?? null };
  }

  return {
    admitRead,
    setQuota,
    /** This month's counts per client id that has a quota or made a read. */
    stats: (): Record<string, MonthlyQuotaStats> => Object.fromEntries([...new Set([...quotas.keys(), ...usage.keys()])].map((clientId) => [clientId, statsOf(clientId)])),
    reset(): void {
      quotas = new Map();
      usage = new Map();
    },
  };
}
