// Issue 8: a company with 5,000 QuickBooks accounts syncs within Intuit's per-realm limits, which the emulator
// enforces (it answers 429 past them). Prints the time taken, for the closing note.
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { qboAccounts } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { INTUIT_REALM_LIMITS } from "@/lib/intuit/limits";
import { requestSync } from "@/lib/ledger/request-sync";
import { runSync, SYNC_PAGE_SIZE } from "@/lib/ledger/run-sync";
import { LARGE_COMPANY_ACCOUNT_COUNT, LARGE_COMPANY_REALM_ID } from "@/mocks/intuit/fixtures";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant } from "./connect-helper";
import { useTestDatabase } from "./database";

useTestDatabase();
const intuit = useIntuitMock();

describe("a sync of a 5,000-account company", () => {
  it("stores every account once, stays inside the realm's limits, and shows its progress page by page", async () => {
    clearDiscoveryCache();
    const { tenantId, outcome } = await connectTenant("accountant@acme.test", LARGE_COMPANY_REALM_ID);
    expect(outcome).toBe("connected");

    const started = performance.now();
    const run = await requestSync({ tenantId, actorUserId: null });
    const progress: number[] = [];
    const done = await runSync(run.id, { onPage: (r) => void progress.push(r.processed) });
    const seconds = (performance.now() - started) / 1000;

    expect(done).toMatchObject({ status: "succeeded", mode: "full", total: LARGE_COMPANY_ACCOUNT_COUNT, processed: LARGE_COMPANY_ACCOUNT_COUNT, errors: 0 });
    expect(progress).toHaveLength(LARGE_COMPANY_ACCOUNT_COUNT / SYNC_PAGE_SIZE);
    expect(progress.at(-1)).toBe(LARGE_COMPANY_ACCOUNT_COUNT);
    const [stored] = await db()
      .select({ count: sql<number>`count(distinct ${qboAccounts.qboId})::int` })
      .from(qboAccounts)
      .where(and(eq(qboAccounts.tenantId, tenantId), eq(qboAccounts.realmId, LARGE_COMPANY_REALM_ID)));
    expect(stored?.count).toBe(LARGE_COMPANY_ACCOUNT_COUNT);

    const stats = intuit.emulator.limitStats()[LARGE_COMPANY_REALM_ID]!;
    expect(stats.throttled).toBe(0);
    expect(stats.maxInWindow).toBeLessThanOrEqual(INTUIT_REALM_LIMITS.requestsPerWindow);
    expect(stats.maxConcurrent).toBeLessThanOrEqual(INTUIT_REALM_LIMITS.concurrent);
    console.info(`5,000-account sync: ${seconds.toFixed(2)} s, ${stats.accepted} API requests, max ${stats.maxInWindow} in a minute, max ${stats.maxConcurrent} at once`);
  }, 60_000);
});
