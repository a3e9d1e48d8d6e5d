// When Intuit's monthly read quota is gone (intuit.md §9): the emulator refuses reads past its quota; the app records
// the block on the app's plan once, fails every later read at once with the reason instead of sending it, makes no
// background read for that app until the quota month turns, and turns the indicator red with the reason for every
// tenant of that app, and for no tenant of another app. Status pages read nothing from QuickBooks.
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents, intuitAppPlans, intuitCredentials, users } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { IntuitApiError } from "@/lib/intuit/faults";
import { runCatchUpSweep } from "@/lib/jobs/catch-up-sweep";
import { runReverifySweep, selectConnectionsDueForReverify } from "@/lib/jobs/reverify-sweep";
import { callQuickBooks, retryDelayMs } from "@/lib/quickbooks/client/qbo-client";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";
import { listTenantHealth } from "@/lib/quickbooks/list-tenant-health";
import { describeApiError, readsBlockedReason } from "@/lib/quickbooks/rules/intuit-failures";
import { readsBlockedFor } from "@/lib/usage/reads-blocked";
import { recordReadsBlocked } from "@/lib/usage/record-reads-blocked";
import { quotaMonthOf } from "@/lib/usage/rules/quota-month";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, DEFAULT_REALM, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { rejectionOf } from "@/tests/rejection";
import { tenantId as tenantIdOf } from "@/tests/session";

useTestDatabase();
const intuit = useIntuitMock();

const DAY_MS = 24 * 60 * 60 * 1000;
const GLOBEX_REALM = "9341452000000002";
const QUOTA_REASON = /^Intuit's monthly read quota is used up/;

let acme = "";
let globex = "";
let auditsBefore = 0;
const allReadsBlockedAudits = () => db().select().from(auditEvents).where(eq(auditEvents.action, "usage.reads_blocked")).orderBy(auditEvents.createdAt, auditEvents.id);
beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
  await db().delete(intuitAppPlans).where(sql`true`);
  // The audit trail is append-only: each test looks at the events after those it found.
  auditsBefore = (await allReadsBlockedAudits()).length;
  // Globex calls through an Intuit app of its own (the emulator's client, entered as Globex's): another meter.
  globex = await tenantIdOf("globex");
  await db().delete(intuitCredentials).where(eq(intuitCredentials.tenantId, globex));
  const secret = intuit.clientSecret;
  await db().insert(intuitCredentials).values({ tenantId: globex, environment: "sandbox", clientId: intuit.clientId, clientSecretEnc: tokenCipher().encrypt(secret), secretLast4: secret.slice(-4) });
  acme = (await connectTenant("accountant@acme.test")).tenantId;
  expect((await connectTenant("accountant@globex.test", GLOBEX_REALM)).outcome).toBe("connected");
});

const readsBlockedAudits = async () => (await allReadsBlockedAudits()).slice(auditsBefore);
const sentSince = (count: number) => intuit.emulator.apiRequests().slice(count);

describe("Intuit's monthly read block", () => {
  it("is recorded once on the app's plan, and later reads fail at once with the reason instead of being sent", async () => {
    intuit.emulator.setMonthlyQuota(intuit.clientId, 0);
    const before = intuit.emulator.apiRequests().length;
    const refused = await rejectionOf(callQuickBooks({ tenantId: acme, cause: "user" }, "companyinfo", getCompanyInfo), IntuitApiError);
    const resumesAt = quotaMonthOf(new Date()).end;
    expect(refused).toMatchObject({ kind: "quota_exhausted", status: 429, resumesAt });
    // Not retried: one request reached Intuit.
    expect(sentSince(before).map((r) => r.status)).toEqual([429]);
    expect(retryDelayMs(refused, 1, true)).toBeNull();
    expect(describeApiError(refused)).toMatch(QUOTA_REASON);
    expect(describeApiError(refused)).toContain(`blocked until ${resumesAt.toISOString().slice(0, 10)} 00:00 UTC`);

    // The plan's defaults, blocked until the next quota month; one audit event, the platform's (no tenant's).
    const [plan] = await db().select().from(intuitAppPlans).where(eq(intuitAppPlans.appKey, "platform"));
    expect(plan).toMatchObject({ tier: "builder", monthlyQuota: 500_000, monthStartDay: 1, readsBlockedUntil: resumesAt });
    const [audit, ...more] = await readsBlockedAudits();
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ tenantId: null, target: "intuit_app:platform", outcome: "failure", details: expect.objectContaining({ until: resumesAt.toISOString(), refusedTenantId: acme }) });

    // The next read is not sent, and no token is renewed for it.
    const renewals = intuit.emulator.calls.tokenRefreshToken;
    const again = await rejectionOf(callQuickBooks({ tenantId: acme, cause: "sync" }, "companyinfo", getCompanyInfo), IntuitApiError);
    expect(again).toMatchObject({ kind: "quota_exhausted", status: null, code: "reads_blocked", resumesAt });
    expect(describeApiError(again)).toBe(readsBlockedReason(resumesAt));
    expect(sentSince(before)).toHaveLength(1);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(renewals);

    // Another instance meeting the same block records nothing more.
    expect(await recordReadsBlocked({ appKey: "platform", tenantId: acme, environment: "sandbox", at: new Date(), intuitTid: null })).toEqual(resumesAt);
    expect(await readsBlockedAudits()).toHaveLength(1);
  });

  it("ends when the quota month turns, by the plan's own month start day", async () => {
    const appKey = `tenant:${globex}`;
    await db().insert(intuitAppPlans).values({ appKey, monthStartDay: 15 });
    const until = await recordReadsBlocked({ appKey, tenantId: globex, environment: "sandbox", at: new Date("2026-12-20T08:00:00Z"), intuitTid: null });
    expect(until).toEqual(new Date("2027-01-15T00:00:00Z"));
    expect(await readsBlockedFor(appKey, new Date(until.getTime() - 1))).toEqual(until);
    expect(await readsBlockedFor(appKey, until)).toBeNull();
    expect(await readsBlockedFor("platform", new Date("2026-12-20T08:00:00Z"))).toBeNull();
    const [audit] = await readsBlockedAudits();
    expect(audit).toMatchObject({ tenantId: globex, target: `intuit_app:${appKey}` });

    // The next month's block is a new one.
    await recordReadsBlocked({ appKey, tenantId: globex, environment: "sandbox", at: new Date("2027-01-16T08:00:00Z"), intuitTid: null });
    expect(await readsBlockedFor(appKey, until)).toEqual(new Date("2027-02-15T00:00:00Z"));
    expect(await readsBlockedAudits()).toHaveLength(2);
  });

  it("keeps the background sweeps from calling Intuit for the blocked app, while another app's connections go on", async () => {
    const later = new Date(Date.now() + 2 * DAY_MS);
    // Recorded for the month `later` falls in, so that the sweeps' clock is inside the block.
    const until = await recordReadsBlocked({ appKey: "platform", tenantId: acme, environment: "sandbox", at: later, intuitTid: null });
    const due = (await selectConnectionsDueForReverify(later)).map((c) => c.tenantId);
    expect(due).toContain(globex);
    expect(due).not.toContain(acme);

    const before = intuit.emulator.apiRequests().length;
    await runReverifySweep({ now: later });
    await runCatchUpSweep({ now: later });
    const sent = sentSince(before);
    expect(sent.filter((r) => r.realmId === DEFAULT_REALM)).toEqual([]);
    expect(sent.filter((r) => r.realmId === GLOBEX_REALM).length).toBeGreaterThan(0);

    // Once the month has turned, the blocked app's connections are selected again.
    expect((await selectConnectionsDueForReverify(new Date(until.getTime() + 2 * DAY_MS))).map((c) => c.tenantId)).toContain(acme);
  });

  it("turns the indicator red with the reason for a tenant of the blocked app, not for a tenant of another app, without reading QuickBooks", async () => {
    const until = await recordReadsBlocked({ appKey: "platform", tenantId: acme, environment: "sandbox", at: new Date(), intuitTid: null });
    const before = intuit.emulator.apiRequests().length;

    const blocked = await getConnectionStatus(acme);
    expect(blocked.indicator).toBe("red");
    expect(blocked.reasons).toContain(readsBlockedReason(until));
    const other = await getConnectionStatus(globex);
    expect(other.reasons.filter((r) => QUOTA_REASON.test(r))).toEqual([]);
    expect(other.indicator).toBe("green");

    // The fleet table says the same, from its own batched query.
    const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
    const { rows } = await listTenantHealth({ userId: admin!.id, sort: "health", dir: "asc", page: 1 });
    expect(rows.find((r) => r.tenantId === acme)?.reasons).toContain(readsBlockedReason(until));
    expect(rows.find((r) => r.tenantId === globex)?.reasons.filter((r) => QUOTA_REASON.test(r))).toEqual([]);

    // Nothing shown read QuickBooks.
    expect(sentSince(before)).toEqual([]);

    // When the quota month turns, the reason goes.
    const turned = await getConnectionStatus(acme, { now: until });
    expect(turned.reasons.filter((r) => QUOTA_REASON.test(r))).toEqual([]);
  });
});

