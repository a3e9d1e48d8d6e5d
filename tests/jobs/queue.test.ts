import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { quickbooksConnections, refreshLogs } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { TOKEN_SWEEP_QUEUE, backgroundJobsKind, requestSweepNow, startBackgroundJobs, stopBackgroundJobs } from "@/lib/jobs/queue";

const REALM = "9341452000000001";
const MINUTE = 60 * 1000;

useTestDatabase();
const intuit = useIntuitMock();
// Registered after the database's hooks, so it runs before the database is closed and dropped.
afterAll(() => stopBackgroundJobs());

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

/** Acme connected, in use, and its access token two minutes from expiry: due for the next sweep. */
async function connectionDueNow(): Promise<string> {
  const { tenantId, outcome } = await connectTenant("accountant@acme.test", REALM);
  expect(outcome).toBe("connected");
  await db()
    .update(quickbooksConnections)
    .set({ lastUsedAt: new Date(), accessTokenExpiresAt: new Date(Date.now() + 2 * MINUTE) })
    .where(eq(quickbooksConnections.tenantId, tenantId));
  return tenantId;
}

async function scheduledRenewals(tenantId: string) {
  return db()
    .select()
    .from(refreshLogs)
    .where(and(eq(refreshLogs.tenantId, tenantId), eq(refreshLogs.trigger, "scheduled")));
}

/** Polls until `probe` returns a value, for at most `timeoutMs`. */
async function eventually<T>(probe: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(!process.env.DATABASE_URL)("background jobs on PGlite: an in-process timer", () => {
  it("sweeps on every interval without overlapping itself, and stops", async () => {
    const tenantId = await connectionDueNow();
    // A slow Intuit: the sweep outlasts several intervals.
    intuit.emulator.injectFault({ target: "token", delayMs: 300 });

    expect(await startBackgroundJobs({ intervalMs: 50 })).toEqual({ kind: "timer" });
    expect(await startBackgroundJobs()).toEqual({ kind: "timer" });
    await eventually(async () => ((await scheduledRenewals(tenantId)).length > 0 ? true : null), 5_000);
    await stopBackgroundJobs();
    expect(await backgroundJobsKind()).toBeNull();

    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);
    expect(await scheduledRenewals(tenantId)).toMatchObject([{ outcome: "success" }]);
  });
});

describe.runIf(process.env.DATABASE_URL)("background jobs on PostgreSQL: pg-boss", () => {
  it("runs the sweep as a pg-boss job on a one-minute schedule, and stops cleanly", async () => {
    const tenantId = await connectionDueNow();

    expect(await startBackgroundJobs()).toEqual({ kind: "pg-boss" });
    expect(await startBackgroundJobs()).toEqual({ kind: "pg-boss" });
    expect(await requestSweepNow()).toBe(true);

    type JobRow = { state: string; output: { renewal?: { renewed: number } } | null };
    const completed = await eventually(async () => {
      const jobs = (await db().execute(sql`select state, output from pgboss.job where name = ${TOKEN_SWEEP_QUEUE}`)) as unknown as JobRow[];
      return jobs.find((job) => job.state === "completed" && (job.output?.renewal?.renewed ?? 0) > 0);
    }, 15_000);
    expect(completed.output).toMatchObject({ renewal: { examined: 1, renewed: 1, failed: 0 }, revocations: { examined: 0 } });
    expect(await scheduledRenewals(tenantId)).toMatchObject([{ outcome: "success" }]);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);

    const schedules = (await db().execute(sql`select name, cron from pgboss.schedule`)) as unknown as { name: string; cron: string }[];
    expect(schedules).toEqual([{ name: TOKEN_SWEEP_QUEUE, cron: "* * * * *" }]);

    await stopBackgroundJobs();
    expect(await backgroundJobsKind()).toBeNull();
    // pg-boss closed its own connections.
    await eventually(async () => {
      const [row] = (await db().execute(
        sql`select count(*)::int as n from pg_stat_activity where application_name = 'qbc-jobs' and datname = current_database()`,
      )) as unknown as { n: number }[];
      return row?.n === 0 ? true : null;
    }, 5_000);
  }, 30_000);
});
