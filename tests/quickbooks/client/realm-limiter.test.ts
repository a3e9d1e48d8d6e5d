import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { IntuitApiError } from "@/lib/intuit/faults";
import { appWindowMs, type RealmLimits } from "@/lib/intuit/limits";
import { useTestDatabase } from "@/tests/database";
import { acquireRealmPermit, realmKeyOf } from "@/lib/quickbooks/client/realm-limiter";

useTestDatabase();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let realmCounter = 0;
const freshRealm = () => realmKeyOf("sandbox", `test-realm-${++realmCounter}`);

describe("acquireRealmPermit", () => {
  it("never lets more than the concurrency limit in flight, and every caller gets its turn", async () => {
    const realm = freshRealm();
    const limits: RealmLimits = { requestsPerWindow: 1_000, windowMs: 60_000, concurrent: 3 };
    let inFlight = 0;
    let maxInFlight = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const permit = await acquireRealmPermit(realm, { limits, leaseMs: 10_000, maxWaitMs: 20_000 });
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Held until the limit has been reached once (or 2 s), not for a fixed 30 ms: on a loaded machine a permit
        // could take longer to grant than the holder took to finish, and the limit was never reached (CI saw 2).
        // A limiter that let fewer in at once than its limit still fails: the limit is then never reached.
        const heldSince = Date.now();
        while (maxInFlight < 3 && Date.now() - heldSince < 2_000) await sleep(5);
        await sleep(10);
        inFlight--;
        await permit.release();
      }),
    );
    expect(maxInFlight).toBe(3);
    const [{ count }] = rowsOf<{ count: number }>(await db().execute(sql`select count(*)::int as count from qbo_realm_permits where realm_key = ${realm}`)) as [{ count: number }];
    expect(count).toBe(12);
  });

  it("spends at most requestsPerWindow in a window, then waits for the window to slide", async () => {
    const realm = freshRealm();
    const limits: RealmLimits = { requestsPerWindow: 4, windowMs: 400, concurrent: 10 };
    const started = Date.now();
    const grantedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const permit = await acquireRealmPermit(realm, { limits, leaseMs: 5_000, maxWaitMs: 5_000 });
        grantedAt.push(Date.now() - started);
        await permit.release();
      }),
    );
    grantedAt.sort((a, b) => a - b);
    // The first four at once, the next four only once the first have left the (slightly longer) window.
    expect(grantedAt[3]!).toBeLessThan(appWindowMs(limits));
    expect(grantedAt[4]!).toBeGreaterThanOrEqual(appWindowMs(limits) - 20);
    for (let i = 0; i + 4 < grantedAt.length; i++) expect(grantedAt[i + 4]! - grantedAt[i]!).toBeGreaterThanOrEqual(limits.windowMs);
  });

  it("frees the slot of a permit whose holder died once its lease runs out", async () => {
    const realm = freshRealm();
    const limits: RealmLimits = { requestsPerWindow: 100, windowMs: 60_000, concurrent: 1 };
    await acquireRealmPermit(realm, { limits, leaseMs: 300, maxWaitMs: 100 }); // never released
    await expect(acquireRealmPermit(realm, { limits, leaseMs: 300, maxWaitMs: 50 })).rejects.toMatchObject({ kind: "throttled", code: "local_limit" });
    const second = await acquireRealmPermit(realm, { limits, leaseMs: 300, maxWaitMs: 2_000 });
    expect(second.waitedMs).toBeGreaterThan(0);
    await second.release();
  });

  it("gives up after maxWaitMs with a typed throttled error, and keeps realms apart", async () => {
    const realm = freshRealm();
    const limits: RealmLimits = { requestsPerWindow: 1, windowMs: 60_000, concurrent: 10 };
    const first = await acquireRealmPermit(realm, { limits, leaseMs: 1_000, maxWaitMs: 100 });
    await first.release();
    const error = await acquireRealmPermit(realm, { limits, leaseMs: 1_000, maxWaitMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntuitApiError);
    expect(error).toMatchObject({ kind: "throttled", code: "local_limit", retryable: true });
    const other = await acquireRealmPermit(freshRealm(), { limits, leaseMs: 1_000, maxWaitMs: 100 });
    expect(other.waitedMs).toBe(0);
  });
});
