// Issue 15, point 7: a live sync run is never taken over, and a takeover never fails the run it lost to. Two runners
// of one run, in one process: a run waiting minutes on Intuit (here a page held back; a realm-limiter permit waits the
// same way) keeps its heartbeat and the sweep leaves it alone; a runner that lost its run anyway (its process froze
// past the abandonment window) finds its writes refused and stops without failing the run or touching its progress.
import { and, eq, sql } from "drizzle-orm";
import { http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/db";
import { auditEvents, qboAccounts, syncRuns } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { requestSync } from "@/lib/ledger/request-sync";
import { runPendingSyncs } from "@/lib/ledger/run-pending-syncs";
import { runSync, SYNC_PAGE_SIZE } from "@/lib/ledger/run-sync";
import { ABANDONED_AFTER_MS } from "@/lib/ledger/store/sync-runs";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";

useTestDatabase();
const intuit = useIntuitMock();

let acme = "";
/** Page requests to Intuit so far, and the ones to hold back (by number) until released. */
let pageRequests = 0;
const held = new Map<number, { arrived: () => void; released: Promise<void> }>();

/** Holds back the n-th page request from the start of the test: resolves `arrived` when it comes; `release` lets it go. */
function holdPage(n: number) {
  let arrived!: () => void;
  let release!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  held.set(n, { arrived, released: new Promise<void>((resolve) => (release = resolve)) });
  return { arrival, release };
}

beforeEach(async () => {
  clearDiscoveryCache();
  await db().delete(syncRuns).where(sql`true`);
  await db().delete(qboAccounts).where(sql`true`);
  await resetQuickBooksData();
  const connected = await connectTenant("accountant@acme.test");
  expect(connected.outcome).toBe("connected");
  acme = connected.tenantId;
  // Three pages: the company's chart and enough more.
  for (let n = 0; n < 2 * SYNC_PAGE_SIZE; n++) intuit.emulator.addAccount(DEFAULT_REALM, { name: `Cost Center ${String(n).padStart(4, "0")}`, accountType: "Expense" });
  pageRequests = 0;
  held.clear();
  intuit.server.use(
    http.get(`${intuit.origin}/v3/company/:realmId/query`, async ({ request }) => {
      if (!/startposition/i.test(new URL(request.url).searchParams.get("query") ?? "")) return;
      const hold = held.get(++pageRequests);
      if (!hold) return;
      hold.arrived();
      await hold.released;
      // Nothing returned: the emulator answers, as late as the hold made it.
    }),
  );
});
afterEach(() => vi.useRealTimers());

/** Moves the clock on, as if the run had waited that long (timers stay real: the heartbeat keeps its pace). */
function minutesPass(ms: number): number {
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  vi.setSystemTime(Date.now() + ms);
  return Date.now();
}

const runRow = async (id: number) => (await db().select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!;
const audits = async (action: string, runId: number) =>
  (await db().select().from(auditEvents).where(and(eq(auditEvents.tenantId, acme), eq(auditEvents.action, action)))).filter((e) => (e.details as { runId?: number }).runId === runId).length;

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = performance.now() + ms; performance.now() < end; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("two runners of one sync run", () => {
  it("a run waiting minutes on Intuit keeps beating, and the sweep does not take it over", async () => {
    const run = await requestSync({ tenantId: acme, actorUserId: null });
    const slow = holdPage(1);
    const first = runSync(run.id, { heartbeatEveryMs: 20 });
    await slow.arrival;

    const later = minutesPass(ABANDONED_AFTER_MS + 60_000);
    // While the page is still on its way, the run's heartbeat keeps up with the clock.
    await until(async () => (await runRow(run.id)).heartbeatAt!.getTime() >= later, 1_000);
    expect((await runRow(run.id)).heartbeatAt!.getTime()).toBeGreaterThanOrEqual(later);
    expect(await runPendingSyncs()).toBe(0);

    slow.release();
    const done = await first;
    expect(done).toMatchObject({ status: "succeeded", errors: 0 });
    expect(done!.processed).toBe(done!.total);
    expect(done!.processed).toBeGreaterThan(2 * SYNC_PAGE_SIZE);
    expect(await audits("sync.completed", run.id)).toBe(1);
  });

  it("a runner that lost its run stops quietly: no failure, none of its pages, and the new owner finishes", async () => {
    const run = await requestSync({ tenantId: acme, actorUserId: null });
    const frozen = holdPage(1);
    // This runner's process froze: no beat lands while the clock runs past the abandonment window.
    const loser = runSync(run.id, { heartbeatEveryMs: 60 * 60_000 });
    await frozen.arrival;
    minutesPass(ABANDONED_AFTER_MS + 60_000);

    // The sweep takes the run over; the new owner stores its first page and waits on its second.
    const secondPage = holdPage(3);
    const sweep = runPendingSyncs();
    await secondPage.arrival;
    expect(await runRow(run.id)).toMatchObject({ status: "running", cursor: SYNC_PAGE_SIZE, processed: SYNC_PAGE_SIZE });

    // The frozen runner wakes with its page: refused, it stops without a trace on the run.
    frozen.release();
    expect(await loser).toBeNull();
    expect(await runRow(run.id)).toMatchObject({ status: "running", cursor: SYNC_PAGE_SIZE, processed: SYNC_PAGE_SIZE, errorMessage: null });
    expect(await audits("sync.failed", run.id)).toBe(0);

    secondPage.release();
    expect(await sweep).toBe(1);
    const done = await runRow(run.id);
    expect(done).toMatchObject({ status: "succeeded", errors: 0, errorMessage: null });
    expect(done.processed).toBe(done.total);
    expect(await audits("sync.failed", run.id)).toBe(0);
    expect(await audits("sync.completed", run.id)).toBe(1);
  });
});
