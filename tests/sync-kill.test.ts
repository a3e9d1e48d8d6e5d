// Issue 8: a sync whose process is killed half-way (SIGKILL, no clean-up) is taken up again by the job sweep once its
// heartbeat is old, continues from its cursor, and ends with exactly the records of an uninterrupted sync.
import { spawn } from "node:child_process";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { qboAccounts, syncRuns } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { requestSync } from "@/lib/ledger/request-sync";
import { runPendingSyncs } from "@/lib/ledger/run-pending-syncs";
import { runSync, SYNC_PAGE_SIZE } from "@/lib/ledger/run-sync";
import { ABANDONED_AFTER_MS } from "@/lib/ledger/store/sync-runs";
import { LARGE_COMPANY_ACCOUNT_COUNT, LARGE_COMPANY_REALM_ID } from "@/mocks/intuit/fixtures";
import { startEmulatorServer, type EmulatorServer } from "@/mocks/intuit/server";
import { connectTenant } from "./connect-helper";
import { useTestDatabase } from "./database";

const snapshot = (tenantId: string) =>
  db()
    .select({ id: qboAccounts.qboId, name: qboAccounts.name, type: qboAccounts.accountType, active: qboAccounts.active, balance: qboAccounts.currentBalance, syncToken: qboAccounts.syncToken })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, tenantId), eq(qboAccounts.realmId, LARGE_COMPANY_REALM_ID)))
    .orderBy(asc(qboAccounts.qboId));

// Two processes need a database server they can share: PGlite is embedded in one process by design.
describe.runIf(process.env.DATABASE_URL)("a sync killed half-way", () => {
  let emulator: EmulatorServer;
  beforeAll(async () => {
    emulator = await startEmulatorServer({ port: 0 });
    process.env.INTUIT_DISCOVERY_URL = `${emulator.url}/.well-known/openid_sandbox_configuration`;
    process.env.QBO_API_BASE_URL = emulator.url;
  });
  useTestDatabase();
  afterAll(async () => {
    await emulator.close();
  });

  it("resumes from its cursor after the sweep finds it abandoned, and ends with the same records as an uninterrupted one", async () => {
    clearDiscoveryCache();
    const { tenantId, outcome } = await connectTenant("accountant@acme.test", LARGE_COMPANY_REALM_ID);
    expect(outcome).toBe("connected");

    // The uninterrupted reference.
    const reference = await runSync((await requestSync({ tenantId, actorUserId: null })).id);
    expect(reference).toMatchObject({ status: "succeeded", processed: LARGE_COMPANY_ACCOUNT_COUNT });
    const expected = await snapshot(tenantId);
    expect(expected).toHaveLength(LARGE_COMPANY_ACCOUNT_COUNT);
    await db().delete(qboAccounts).where(eq(qboAccounts.tenantId, tenantId));
    await db().delete(syncRuns).where(eq(syncRuns.tenantId, tenantId));

    // A second instance runs the sync with Intuit slowed down, and is killed after its second page.
    const run = await requestSync({ tenantId, actorUserId: null });
    // (The count and the first three pages are slow; reset() would also forget the tokens, so the faults run out instead.)
    emulator.emulator.injectFault({ target: "api", delayMs: 250, times: 4 });
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "tests/fixtures/sync-runner.ts"], {
      env: { ...process.env, RUN_ID: String(run.id) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if ((output.match(/^page /gm) ?? []).length >= 2) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.once("exit", () => reject(new Error(`the sync runner exited before it was killed:\n${output}`)));
    });
    await new Promise((resolve) => child.once("close", resolve));

    const [abandoned] = await db().select().from(syncRuns).where(eq(syncRuns.id, run.id));
    expect(abandoned!.status).toBe("running");
    expect(abandoned!.cursor).toBeGreaterThanOrEqual(2 * SYNC_PAGE_SIZE);
    expect(abandoned!.cursor).toBeLessThan(LARGE_COMPANY_ACCOUNT_COUNT);

    // Not yet abandoned by the clock: the sweep leaves a live run alone.
    expect(await runPendingSyncs(new Date())).toBe(0);
    // Once its heartbeat is old, the sweep takes it up and finishes it.
    expect(await runPendingSyncs(new Date(Date.now() + ABANDONED_AFTER_MS + 1_000))).toBe(1);
    const [resumed] = await db().select().from(syncRuns).where(eq(syncRuns.id, run.id));
    expect(resumed).toMatchObject({ status: "succeeded", processed: LARGE_COMPANY_ACCOUNT_COUNT, cursor: LARGE_COMPANY_ACCOUNT_COUNT, errors: 0 });
    expect(await snapshot(tenantId)).toEqual(expected);
    const [{ rows }] = rowsOf<{ rows: number }>(await db().execute(sql`select count(*)::int as rows from qbo_accounts where tenant_id = ${tenantId}`)) as [{ rows: number }];
    expect(rows).toBe(LARGE_COMPANY_ACCOUNT_COUNT);
  }, 120_000);
});
