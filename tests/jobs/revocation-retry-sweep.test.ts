import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents, tokenRevocations } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { disconnectConnection } from "@/lib/quickbooks/disconnect-connection";
import { INTUIT_RETRY } from "@/lib/quickbooks/client/retry";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { MAX_REVOCATION_ATTEMPTS } from "@/lib/jobs/due-rules";
import { runRevocationRetrySweep } from "@/lib/jobs/revocation-retry-sweep";

const REALM = "9341452000000001";
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

useTestDatabase();
const intuit = useIntuitMock();

async function revocationOf(tenantId: string) {
  const [row] = await db().select().from(tokenRevocations).where(eq(tokenRevocations.tenantId, tenantId));
  return row!;
}

/** Connects Acme, then disconnects while Intuit's revoke endpoint answers 500 to every attempt the disconnect makes. */
async function disconnectWhileRevokeFails(): Promise<string> {
  const { tenantId, outcome } = await connectTenant("accountant@acme.test", REALM);
  expect(outcome).toBe("connected");
  intuit.emulator.injectFault({ target: "revoke", status: 500, times: INTUIT_RETRY.attempts });
  expect((await disconnectConnection({ tenantId, actorUserId: null })).revocation.status).toBe("failed");
  expect(intuit.emulator.pendingFaults()).toEqual([]);
  return tenantId;
}

const after = (ms: number) => new Date(Date.now() + ms);

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

describe("the revocation retry sweep", () => {
  it("revokes a failed revocation on a later sweep and erases its sealed token", async () => {
    const tenantId = await disconnectWhileRevokeFails();
    const failed = await revocationOf(tenantId);
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed.tokenEnc).toMatch(/^v2\./);
    // Intuit still honours the grant: nobody has revoked it yet.
    expect(intuit.emulator.activeTokens({ realmId: REALM })).not.toEqual([]);
    const revokeCalls = intuit.emulator.calls.revoke;

    // Within the backoff, the sweep leaves it alone.
    expect(await runRevocationRetrySweep()).toEqual({ examined: 0, revoked: 0, failed: 0 });
    expect(intuit.emulator.calls.revoke).toBe(revokeCalls);

    // Later, Intuit is back: revoked, token erased, the grant gone at Intuit, and the audit trail says so.
    expect(await runRevocationRetrySweep({ now: after(2 * MINUTE) })).toEqual({ examined: 1, revoked: 1, failed: 0 });
    const revoked = await revocationOf(tenantId);
    expect(revoked).toMatchObject({ status: "revoked", tokenEnc: null, attempts: 2, lastErrorCode: null });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(intuit.emulator.activeTokens({ realmId: REALM })).toEqual([]);
    const audit = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, "token.revoked")));
    expect(audit).toHaveLength(1);

    // Nothing left to do.
    expect(await runRevocationRetrySweep({ now: after(DAY) })).toEqual({ examined: 0, revoked: 0, failed: 0 });
  });

  it("counts another failure, backs off further, and gives up after the last attempt", async () => {
    const tenantId = await disconnectWhileRevokeFails();

    intuit.emulator.injectFault({ target: "revoke", status: 500, times: INTUIT_RETRY.attempts });
    expect(await runRevocationRetrySweep({ now: after(2 * MINUTE) })).toEqual({ examined: 1, revoked: 0, failed: 1 });
    expect(await revocationOf(tenantId)).toMatchObject({ status: "failed", attempts: 2 });
    // Two attempts: the next one waits two minutes from the last (which was just now, in real time).
    expect((await runRevocationRetrySweep({ now: after(MINUTE + 30_000) })).examined).toBe(0);

    await db().update(tokenRevocations).set({ attempts: MAX_REVOCATION_ATTEMPTS }).where(eq(tokenRevocations.tenantId, tenantId));
    expect((await runRevocationRetrySweep({ now: after(DAY) })).examined).toBe(0);
    expect((await revocationOf(tenantId)).tokenEnc).toMatch(/^v2\./);
  });

  it("two sweeps at once attempt each revocation once", async () => {
    const tenantId = await disconnectWhileRevokeFails();
    const revokeCalls = intuit.emulator.calls.revoke;
    const now = after(2 * MINUTE);
    const results = await Promise.all([runRevocationRetrySweep({ now }), runRevocationRetrySweep({ now })]);
    expect(results.reduce((sum, r) => sum + r.examined, 0)).toBe(1);
    expect(intuit.emulator.calls.revoke - revokeCalls).toBe(1);
    expect(await revocationOf(tenantId)).toMatchObject({ status: "revoked", attempts: 2 });
  });
});
