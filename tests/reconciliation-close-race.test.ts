// Issue 15, point 7: an explanation cannot be changed once its month is closed, checked in the same transaction. An
// explanation and a close at the same moment: the explanation either lands before the close (and is in the snapshot
// the close records) or is refused with the usual 409, whichever of the two started first. Both are held mid-way (the
// audit table locked from another connection) so that they overlap for sure.
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents, reconciliationLines, reconciliations } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { closeReconciliation } from "@/lib/ledger/close-reconciliation";
import { explainReconciliationLine } from "@/lib/ledger/explain-reconciliation-line";
import { useTestDatabase } from "./database";
import { tenantId } from "./session";

// Two connections at once and row locks between them: PostgreSQL (PGlite has one connection, so nothing overlaps).
describe.runIf(process.env.DATABASE_URL)("an explanation racing the month's close", () => {
  useTestDatabase();

  let acme = "";
  let reconciliationId = 0;
  let lineId = 0;
  let blocker: postgres.Sql;
  /** Outside the blocker's transaction: a transaction sees one snapshot of pg_stat_activity. */
  let monitor: postgres.Sql;
  let period = 0;

  beforeEach(async () => {
    acme = await tenantId("acme");
    // A period of its own per test: one closed reconciliation per period.
    period += 1;
    const [created] = await db()
      .insert(reconciliations)
      .values({ tenantId: acme, environment: "sandbox", realmId: "9341452000000001", period: `2030-${String(period).padStart(2, "0")}`, asOf: "2030-01-31" })
      .returning();
    reconciliationId = created!.id;
    const [line] = await db()
      .insert(reconciliationLines)
      .values({ reconciliationId, tenantId: acme, code: "1010", name: "Operating account", awraBalance: "100.00", qboBalance: "90.00", difference: "10.00" })
      .returning();
    lineId = line!.id;
    blocker = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    monitor = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  });
  afterEach(async () => {
    await Promise.all([blocker.end(), monitor.end()]);
  });

  /** Holds every audit write (each use-case writes its audit row last in its transaction) until `release`. */
  async function holdAuditWrites() {
    await blocker`begin`;
    await blocker`lock table audit_events in share mode`;
    return { release: () => blocker`commit` };
  }

  /** Waits until `n` sessions of this database wait for a lock. */
  async function waiting(n: number) {
    for (let i = 0; i < 500; i++) {
      const [{ count }] = (await monitor`select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`) as unknown as [{ count: number }];
      if (count >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`${n} sessions never waited for a lock`);
  }

  const explain = () => explainReconciliationLine({ tenantId: acme, reconciliationId, lineId, explanation: "Deposit in transit", actorUserId: null });
  const close = () => closeReconciliation({ tenantId: acme, reconciliationId, actorUserId: null });
  const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  const lineNow = async () => (await db().select().from(reconciliationLines).where(eq(reconciliationLines.id, lineId)))[0]!;
  const closedAudit = async () =>
    (await db().select().from(auditEvents).where(and(eq(auditEvents.tenantId, acme), eq(auditEvents.action, "reconciliation.closed"), eq(auditEvents.target, `reconciliation:${reconciliationId}`))))[0]!;

  it("a close that started first wins: the explanation is refused with 409 and the closed line is unchanged", async () => {
    const hold = await holdAuditWrites();
    const closing = settled(close());
    await waiting(1);
    const explaining = settled(explain());
    await waiting(2);
    await hold.release();

    expect(await closing).toMatchObject({ ok: true, value: { status: "closed" } });
    const refused = await explaining;
    expect(refused.ok).toBe(false);
    expect((refused as { error: unknown }).error).toBeInstanceOf(AppError);
    expect((refused as { error: AppError }).error).toMatchObject({ code: "reconciliation_closed", status: 409 });
    expect(await lineNow()).toMatchObject({ explanation: null, explainedAt: null });
    expect((await closedAudit()).details).toMatchObject({ unexplained: 1 });
  });

  it("an explanation that started first lands before the close, and the close's snapshot has it", async () => {
    const hold = await holdAuditWrites();
    const explaining = settled(explain());
    await waiting(1);
    const closing = settled(close());
    await waiting(2);
    await hold.release();

    expect(await explaining).toMatchObject({ ok: true, value: { explanation: "Deposit in transit" } });
    expect(await closing).toMatchObject({ ok: true, value: { status: "closed" } });
    expect(await lineNow()).toMatchObject({ explanation: "Deposit in transit" });
    // The snapshot the close recorded counts the line as explained.
    expect((await closedAudit()).details).toMatchObject({ unexplained: 0, difference: "10.00" });
  });
});
