import { randomBytes } from "node:crypto";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as callbackRoute } from "@/app/api/quickbooks/callback/route";
import { POST as webhookRoute } from "@/app/api/quickbooks/webhooks/route";
import { db } from "@/db";
import { rowsOf as rowsOfResult } from "@/db/rows";
import { callbackLogs } from "@/db/schema";
import { requestMetaFromHeaders } from "@/lib/audit/record";
import { signInWithPassword } from "@/lib/auth/sign-in-with-password";
import { SIGN_IN_THROTTLE } from "@/lib/auth/sign-in-throttle";
import { resetEnvForTests } from "@/lib/env";
import { signWebhookBody } from "@/lib/intuit/webhook-signature";
import { readLogPage } from "@/lib/logs/read-log-page";
import { readStatusFacts } from "@/lib/quickbooks/store/read-status-facts";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { useTestDatabase } from "./database";
import { APP, tenantId } from "./session";

// Point 6 of issue 15: strangers cannot grow the tables. Requests nobody signs in for (the OAuth callback, the webhook
// endpoint, sign-in) fold their repeats from one address into a counted row (lib/logs/repeat-fold.ts).

const VERIFIER = "flood-test-verifier";
process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN = VERIFIER;

useTestDatabase();
useIntuitMock();

beforeAll(() => resetEnvForTests());

const FLOOD = 1_000;
/** Requests in flight at once: enough for the folds of concurrent requests to race on PostgreSQL. */
const PARALLEL = 20;

async function flood(count: number, send: (i: number) => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < count; start += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, count - start) }, (_, j) => send(start + j));
    for (const response of await Promise.all(batch)) statuses.push(response.status);
  }
  return statuses;
}

/**
 * The rows a flood left, then how many requests they count. Asserted in that order, so that without folding (no
 * repeat_count column) the row count is what fails. A flood that straddles a 10-minute window boundary takes two rows.
 */
async function rowsOf(table: string, where: SQL): Promise<number> {
  const [row] = await db().execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`).then(rowsOfResult);
  return Number(row!.n);
}
async function countedIn(table: string, where: SQL): Promise<number> {
  const [row] = await db().execute<{ n: number }>(sql`select coalesce(sum(repeat_count), 0)::int as n from ${sql.identifier(table)} where ${where}`).then(rowsOfResult);
  return Number(row!.n);
}
async function expectFolded(table: string, where: SQL, total: number) {
  expect(await rowsOf(table, where)).toBeLessThanOrEqual(2);
  expect(await countedIn(table, where)).toBe(total);
}

describe("unauthenticated callbacks with bad states", () => {
  it(`cost a bounded number of callback-log and audit rows, however many come from one address, and count them all`, { timeout: 120_000 }, async () => {
    const ip = "203.0.113.50";
    const statuses = await flood(FLOOD, (i) =>
      callbackRoute(
        new Request(`${APP}/api/quickbooks/callback?state=${randomBytes(16).toString("hex")}&code=c${i}&realmId=${9000000000 + i}`, {
          headers: { "x-forwarded-for": ip, "user-agent": `flood-${i}` },
        }),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([302]));

    await expectFolded("callback_logs", sql`error_code = 'state_unknown'`, FLOOD);
    await expectFolded("audit_events", sql`action = 'connection.callback_failed' and ip = ${ip}`, FLOOD);
    const [row] = await db().select().from(callbackLogs).where(eq(callbackLogs.sourceIp, ip)).orderBy(callbackLogs.id).limit(1);
    expect(row).toMatchObject({ outcome: "failure", errorCode: "state_unknown", tenantId: null });
    expect(row!.lastSeenAt!.getTime()).toBeGreaterThanOrEqual(row!.createdAt.getTime());

    // Another address, or another failure from the same one, is a row of its own.
    const other = await callbackRoute(new Request(`${APP}/api/quickbooks/callback?state=nope`, { headers: { "x-forwarded-for": "198.51.100.7" } }));
    expect(other.status).toBe(302);
    expect([await rowsOf("callback_logs", sql`source_ip = '198.51.100.7'`), await countedIn("callback_logs", sql`source_ip = '198.51.100.7'`)]).toEqual([1, 1]);
    await callbackRoute(new Request(`${APP}/api/quickbooks/callback?code=x`, { headers: { "x-forwarded-for": ip } }));
    const missing = await db().select().from(callbackLogs).where(and(eq(callbackLogs.sourceIp, ip), eq(callbackLogs.errorCode, "missing_state")));
    expect(missing.map((r) => r.repeatCount)).toEqual([1]);
  });
});

describe("webhook deliveries with a bad signature", () => {
  it(`cost a bounded number of delivery rows from one address, count them all, and show the count in the delivery log`, { timeout: 120_000 }, async () => {
    const ip = "2001:db8:77:1::9";
    const body = (i: number) => JSON.stringify({ eventNotifications: [], i });
    const statuses = await flood(FLOOD, (i) =>
      webhookRoute(
        new Request(`${APP}/api/quickbooks/webhooks`, {
          method: "POST",
          // Another address of the same /64 each time: one customer's block is one source.
          headers: { "content-type": "application/json", "intuit-signature": "bm90IGl0", "x-forwarded-for": `2001:db8:77:1::${(i % 500).toString(16)}` },
          body: body(i),
        }),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([401]));
    await expectFolded("webhook_deliveries", sql`status = 'rejected_signature'`, FLOOD);
    // The status still counts deliveries, not rows (three or more in 24 hours turn the indicator red).
    expect((await readStatusFacts(await tenantId("acme"), "sandbox", new Date())).webhooks.signatureFailures).toBe(FLOOD);

    // A signed delivery is still a row of its own, on the unchanged path.
    const signed = body(-1);
    const accepted = await webhookRoute(
      new Request(`${APP}/api/quickbooks/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "intuit-signature": signWebhookBody(Buffer.from(signed), VERIFIER), "x-forwarded-for": ip },
        body: signed,
      }),
    );
    expect(accepted.status).toBe(200);
    expect([await rowsOf("webhook_deliveries", sql`status = 'accepted'`), await countedIn("webhook_deliveries", sql`status = 'accepted'`)]).toEqual([1, 1]);

    // The logs page (and the CSV export: the same column list) shows how many times a folded row happened.
    const page = await readLogPage("webhook", await tenantId("acme"), {});
    const shown = page.rows.filter((r) => r.status === "rejected_signature");
    expect(shown.map((r) => Number(r.count)).reduce((a, b) => a + b, 0)).toBe(FLOOD);
    for (const row of shown) expect(Number(row.last_seen_at)).toBeGreaterThanOrEqual(Number(row.received_at));
  });
});

describe("throttled sign-ins", () => {
  it("cost a bounded number of audit rows from one address, whatever emails it sprays", { timeout: 120_000 }, async () => {
    const ip = "192.0.2.99";
    const meta = requestMetaFromHeaders(new Headers({ "x-forwarded-for": ip }));
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailuresPerIp; i++) await signInWithPassword({ email: `spray-${i}@acme.test`, password: "guess", meta });
    const attempts = 200;
    for (let i = 0; i < attempts; i++) {
      expect(await signInWithPassword({ email: `more-${i}@acme.test`, password: "guess", meta })).toMatchObject({ reason: "throttled" });
    }
    await expectFolded("audit_events", sql`action = 'auth.sign_in_throttled' and ip = ${ip}`, attempts);
  });
});
