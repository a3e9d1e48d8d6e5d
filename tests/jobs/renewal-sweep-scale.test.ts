import { eq, inArray, like, sql } from "drizzle-orm";
import { http } from "msw";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { quickbooksConnections, refreshLogs, tenants } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding } from "@/lib/crypto/token-binding";
import { env } from "@/lib/env";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { RENEWAL_HELPER_JOBS, TOKEN_RENEWAL_QUEUE, TOKEN_SWEEP_QUEUE, requestSweepNow, startBackgroundJobs, stopBackgroundJobs } from "@/lib/jobs/queue";
import { RENEWAL_CLAIM_BATCH, RENEWAL_CLAIM_LEASE_MS, claimConnectionsDueForRenewal, runRenewalSweep } from "@/lib/jobs/renewal-sweep";

// The sweep at scale: more due connections than one batch, several sweepers at once, a time budget, a lease that
// outlives a dead sweeper, and (PostgreSQL) the pg-boss helper jobs that bring the other instances in.

const MINUTE = 60 * 1000;
const REALM_PREFIX = "5550";

useTestDatabase();
const intuit = useIntuitMock();
// Registered after the database's hooks, so it runs before the database is closed and dropped.
afterAll(() => stopBackgroundJobs());

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

// Tenants stay (their audit trail is append-only): each seeding makes new ones.
let seeded = 0;

/**
 * `count` connected tenants whose tokens the emulator issued, in use, with access tokens expiring within the renewal
 * window: the first one soonest. Returns the tenant ids in that order.
 */
async function seedDueConnections(count: number, now = new Date()): Promise<string[]> {
  const realmIds = Array.from({ length: count }, (_, i) => `${REALM_PREFIX}${String(i).padStart(8, "0")}`);
  const grants = intuit.emulator.createGrants(realmIds);
  const created = await db()
    .insert(tenants)
    .values(realmIds.map(() => ({ slug: `scale-${++seeded}`, name: `Scale ${seeded}` })))
    .returning({ id: tenants.id });
  await db()
    .insert(quickbooksConnections)
    .values(
      grants.map((grant, i) => ({
        tenantId: created[i]!.id,
        environment: "sandbox" as const,
        status: "active" as const,
        realmId: grant.realmId,
        accessTokenEnc: tokenCipher().encrypt(grant.accessToken),
        refreshTokenEnc: tokenCipher().encrypt(grant.refreshToken),
        accessTokenExpiresAt: new Date(now.getTime() + 2 * MINUTE + i * 1000),
        refreshTokenExpiresAt: new Date(now.getTime() + grant.refreshExpiresInSeconds * 1000),
        refreshTokenHardExpiresAt: new Date(now.getTime() + grant.hardExpiresInSeconds * 1000),
        lastUsedAt: new Date(now.getTime() - 60 * MINUTE),
        lastRefreshedAt: new Date(now.getTime() - 58 * MINUTE),
        verifiedAt: now,
        lastCatchUpAt: now,
      })),
    );
  return created.map((row) => row.id);
}

/** Every stored refresh token, decrypted, is the one the emulator holds live for the realm. */
async function storedTokensAreCurrent(): Promise<boolean> {
  const rows = await db().select().from(quickbooksConnections).where(like(quickbooksConnections.realmId, `${REALM_PREFIX}%`));
  return rows.every((row) => {
    const live = intuit.emulator.activeTokens({ realmId: row.realmId!, kind: "refresh" });
    return live.length === 1 && tokenCipher().decrypt(row.refreshTokenEnc!, connectionTokenBinding(row, "refresh_token_enc")) === live[0]!.token;
  });
}

const noDoubleRenewals = () => expect(intuit.emulator.grantRefreshStats()).toMatchObject({ grantsRefreshedMoreThanOnce: 0, refreshTokenReuses: 0 });

describe("one sweep renews the whole backlog", () => {
  it("claims batch after batch until nothing due is left, most urgent first", async () => {
    const count = 2 * RENEWAL_CLAIM_BATCH + 7;
    const tenantIds = await seedDueConnections(count);

    expect(await runRenewalSweep({ concurrency: 3 })).toEqual({ examined: count, renewed: count, failed: 0, skipped: 0 });

    expect(intuit.emulator.calls.tokenRefreshToken).toBe(count);
    noDoubleRenewals();
    expect(await storedTokensAreCurrent()).toBe(true);
    // Most urgent first. Three run at a time and each next one starts when one ends, so the first renewal to finish is
    // one of the three soonest expiries, and the first three to finish are among the five soonest.
    const logs = await db().select().from(refreshLogs).orderBy(refreshLogs.id);
    expect(tenantIds.slice(0, 3)).toContain(logs[0]!.tenantId);
    for (const log of logs.slice(0, 3)) expect(tenantIds.slice(0, 5)).toContain(log.tenantId);
    // A second sweep finds nothing.
    expect((await runRenewalSweep()).examined).toBe(0);
  }, 60_000);

  it("claims no further batch once its budget is spent, and the next sweep takes the rest", async () => {
    const count = RENEWAL_CLAIM_BATCH + 10;
    await seedDueConnections(count);

    // A budget of 0 still renews the first, most urgent batch.
    expect(await runRenewalSweep({ budgetMs: 0 })).toEqual({ examined: RENEWAL_CLAIM_BATCH, renewed: RENEWAL_CLAIM_BATCH, failed: 0, skipped: 0 });
    expect(await runRenewalSweep({ budgetMs: 0 })).toEqual({ examined: 10, renewed: 10, failed: 0, skipped: 0 });
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(count);
    noDoubleRenewals();
  }, 60_000);

  it("asks for help once when a claim comes back full, never when one batch holds everything", async () => {
    await seedDueConnections(5);
    let asked = 0;
    const onBacklog = async () => {
      asked += 1;
    };
    await runRenewalSweep({ onBacklog });
    expect(asked).toBe(0);

    await resetQuickBooksData();
    intuit.emulator.reset();
    await seedDueConnections(2 * RENEWAL_CLAIM_BATCH);
    // The limit keeps the test short: one full claim is enough to show the backlog.
    expect((await runRenewalSweep({ onBacklog, limit: RENEWAL_CLAIM_BATCH })).renewed).toBe(RENEWAL_CLAIM_BATCH);
    expect(asked).toBe(1);
  }, 60_000);
});

describe("several sweepers split the work", () => {
  it("two sweeps at once claim disjoint batches: every connection renewed once, by one of them", async () => {
    const count = 4 * RENEWAL_CLAIM_BATCH;
    await seedDueConnections(count);

    const [a, b] = await Promise.all([runRenewalSweep({ concurrency: 3 }), runRenewalSweep({ concurrency: 3 })]);

    // Disjoint claims: nothing is examined twice, so nothing is skipped, and both did part of the work.
    expect(a!.examined + b!.examined).toBe(count);
    expect(a!.skipped + b!.skipped).toBe(0);
    expect(a!.renewed + b!.renewed).toBe(count);
    expect(Math.min(a!.renewed, b!.renewed)).toBeGreaterThan(0);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(count);
    noDoubleRenewals();
    expect(await storedTokensAreCurrent()).toBe(true);
  }, 60_000);

  it("a claim keeps other sweepers off until its lease ends; then a sweeper that died is replaced", async () => {
    const now = new Date();
    await seedDueConnections(RENEWAL_CLAIM_BATCH + 5, now);

    const first = await claimConnectionsDueForRenewal(now);
    const second = await claimConnectionsDueForRenewal(now);
    expect(first).toHaveLength(RENEWAL_CLAIM_BATCH);
    expect(second).toHaveLength(5);
    expect(new Set([...first, ...second].map((c) => c.connectionId)).size).toBe(RENEWAL_CLAIM_BATCH + 5);
    expect(await claimConnectionsDueForRenewal(now)).toHaveLength(0);

    // Whoever claimed them never renewed them (a process killed mid-sweep): once the lease is over they are due and
    // free again, and a sweep renews them.
    const later = new Date(now.getTime() + RENEWAL_CLAIM_LEASE_MS + 1000);
    expect(await runRenewalSweep({ now: later })).toEqual({ examined: RENEWAL_CLAIM_BATCH + 5, renewed: RENEWAL_CLAIM_BATCH + 5, failed: 0, skipped: 0 });
    noDoubleRenewals();
  }, 60_000);

  it("a connection renewed by someone else after it was claimed is kept, not renewed again", async () => {
    const now = new Date();
    const [tenantId] = await seedDueConnections(1, now);
    const [candidate] = await claimConnectionsDueForRenewal(now);
    expect(candidate?.tenantId).toBe(tenantId);
    // An API call renewed it meanwhile (its effect on the row); the sweep's lease has also run out.
    await db()
      .update(quickbooksConnections)
      .set({ accessTokenExpiresAt: new Date(now.getTime() + 60 * MINUTE), lastRefreshedAt: now })
      .where(eq(quickbooksConnections.tenantId, tenantId!));
    const later = new Date(now.getTime() + RENEWAL_CLAIM_LEASE_MS + 1000);
    expect(await runRenewalSweep({ now: later })).toMatchObject({ examined: 0, renewed: 0 });
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(0);
  });

  it("holds at most QBC_RENEWAL_CONCURRENCY renewals in flight per process, however many sweeps run", async () => {
    const count = RENEWAL_CLAIM_BATCH + 5;
    await seedDueConnections(count);
    let inFlight = 0;
    let peak = 0;
    // Observes each token request for its first 30 ms, then lets the emulator answer it.
    intuit.server.use(
      http.post(intuit.tokenUrl, async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 30));
        inFlight -= 1;
      }),
    );
    const cap = env().renewalConcurrency;
    const results = await Promise.all([runRenewalSweep(), runRenewalSweep(), runRenewalSweep({ concurrency: cap + 5 })]);
    expect(results.reduce((sum, r) => sum + r.renewed, 0)).toBe(count);
    expect(peak).toBeLessThanOrEqual(cap);
    // PGlite has one connection, so renewals (each a transaction around its call to Intuit) take turns there.
    if (process.env.DATABASE_URL) expect(peak).toBeGreaterThan(1);
    noDoubleRenewals();
  }, 60_000);
});

describe.runIf(process.env.DATABASE_URL)("on PostgreSQL: pg-boss helper jobs", () => {
  it("a backlog sends helper jobs, which renew the rest beside the scheduled sweep", async () => {
    const count = 4 * RENEWAL_CLAIM_BATCH;
    const tenantIds = await seedDueConnections(count);

    expect(await startBackgroundJobs()).toEqual({ kind: "pg-boss" });
    expect(await requestSweepNow()).toBe(true);

    type JobRow = { name: string; state: string; singleton_key: string | null; output: { renewed?: number; renewal?: { renewed: number } } | null };
    const deadline = Date.now() + 30_000;
    let renewed = 0;
    while (renewed < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [row] = await db()
        .select({ n: sql<number>`count(*)::int` })
        .from(refreshLogs)
        .where(inArray(refreshLogs.tenantId, tenantIds));
      renewed = row?.n ?? 0;
    }
    expect(renewed).toBe(count);
    await stopBackgroundJobs();

    const jobs = (await db().execute(
      sql`select name, state, singleton_key, output from pgboss.job where name in (${TOKEN_SWEEP_QUEUE}, ${TOKEN_RENEWAL_QUEUE})`,
    )) as unknown as JobRow[];
    const helpers = jobs.filter((job) => job.name === TOKEN_RENEWAL_QUEUE);
    expect(helpers.length).toBeGreaterThan(0);
    expect(helpers.length).toBeLessThanOrEqual(RENEWAL_HELPER_JOBS);
    expect(new Set(helpers.map((job) => job.singleton_key)).size).toBe(helpers.length);
    // Every renewal is accounted for by one job, the sweep's or a helper's.
    const byJobs = jobs.reduce((sum, job) => sum + (job.output?.renewal?.renewed ?? job.output?.renewed ?? 0), 0);
    expect(byJobs).toBe(count);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(count);
    noDoubleRenewals();
    expect(await storedTokensAreCurrent()).toBe(true);
  }, 60_000);
});
