/**
 * How many CSV exports run at once: at most `perProcess` in this process and `perTenant` for one tenant. An export
 * holds its slot from before its first database read until its last byte is taken, its client goes away, or it is cut.
 * Counted in memory: the limit protects this process's export pool (db/client.ts), which is its own.
 */

export interface ExportLimits {
  perProcess: number;
  perTenant: number;
}

export type SlotAnswer = { ok: true; release: () => void } | { ok: false; limit: "process" | "tenant" };

export class ExportSlots {
  private total = 0;
  private readonly byTenant = new Map<string, number>();

  /** A slot for one export of `tenantId`, or which limit refuses it. `release` is safe to call more than once. */
  take(tenantId: string, limits: ExportLimits): SlotAnswer {
    const tenantCount = this.byTenant.get(tenantId) ?? 0;
    if (tenantCount >= limits.perTenant) return { ok: false, limit: "tenant" };
    if (this.total >= limits.perProcess) return { ok: false, limit: "process" };
    this.total += 1;
    this.byTenant.set(tenantId, tenantCount + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.byTenant.get(tenantId) ?? 1) - 1;
        if (left > 0) this.byTenant.set(tenantId, left);
        else this.byTenant.delete(tenantId);
      },
    };
  }

  /** Exports running now, in the process or for one tenant. */
  inUse(tenantId?: string): number {
    return tenantId === undefined ? this.total : (this.byTenant.get(tenantId) ?? 0);
  }
}

// One set per process, on globalThis: Next.js bundles each route separately, and the limit is the process's.
const globalForExports = globalThis as unknown as { __qbcExportSlots?: ExportSlots };

export function exportSlots(): ExportSlots {
  globalForExports.__qbcExportSlots ??= new ExportSlots();
  return globalForExports.__qbcExportSlots;
}
