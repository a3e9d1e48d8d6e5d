// The QuickBooks API client (lib/quickbooks/client/qbo-client.ts) against the MSW emulator: minorversion, typed errors,
// bounded retries of throttling and passing failures, and a stored record of every attempt with its intuit_tid.
import { desc, eq, sql } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { qboApiCalls, qboHealthHourly } from "@/db/schema";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { QBO_MINOR_VERSION } from "@/lib/intuit/qbo-request";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { IntuitApiError } from "@/lib/intuit/faults";
import { callQuickBooks, THROTTLE_RETRIES, TRANSIENT_RETRIES } from "@/lib/quickbooks/client/qbo-client";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, DEFAULT_REALM, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";

useTestDatabase();
const intuit = useIntuitMock();

const COMPANY_INFO = `http://intuit.test/v3/company/${DEFAULT_REALM}/companyinfo/${DEFAULT_REALM}`;
const THROTTLED_BODY = {
  fault: { error: [{ message: "message=ThrottleExceeded; errorCode=003001; statusCode=429", detail: "The request limit was reached.", code: "3001" }], type: "SERVICE" },
};

let tenantId = "";
// The emulator forgets its tokens after each test (useIntuitMock), so each test connects afresh.
beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
  const connected = await connectTenant("accountant@acme.test");
  expect(connected.outcome).toBe("connected");
  tenantId = connected.tenantId;
  await db().delete(qboApiCalls).where(sql`true`);
  await db().delete(qboHealthHourly).where(sql`true`);
});

const attempts = () => db().select().from(qboApiCalls).where(eq(qboApiCalls.tenantId, tenantId)).orderBy(qboApiCalls.id);
async function hourly(metric: string, outcome: string): Promise<number> {
  const rows = await db().select().from(qboHealthHourly).where(sql`${qboHealthHourly.metric} = ${metric} and ${qboHealthHourly.outcome} = ${outcome}`);
  return rows.reduce((sum, row) => sum + Number(row.count), 0);
}
const companyInfo = () => callQuickBooks({ cause: "user", tenantId }, "companyinfo", getCompanyInfo);

describe("callQuickBooks", () => {
  it("sends minorversion, returns the typed result and records the attempt with its intuit_tid", async () => {
    const urls: string[] = [];
    intuit.server.events.on("request:start", ({ request }) => void urls.push(request.url));
    const result = await companyInfo();
    intuit.server.events.removeAllListeners();

    expect(result.companyInfo.companyName).toBeTruthy();
    expect(result.realmId).toBe(DEFAULT_REALM);
    const api = urls.filter((u) => u.includes("/v3/company/"));
    expect(api).toHaveLength(1);
    expect(new URL(api[0]!).searchParams.get("minorversion")).toBe(String(QBO_MINOR_VERSION));
    const [row] = await attempts();
    expect(row).toMatchObject({ operation: "companyinfo", outcome: "success", httpStatus: 200, realmId: DEFAULT_REALM, intuitTid: result.intuitTid });
    expect(result.intuitTid).toBeTruthy();
    expect(await hourly("api_call", "success")).toBe(1);
  });

  it("retries a 429 after Retry-After, and counts each as a throttle hit", async () => {
    let answered = 0;
    intuit.server.use(
      http.get(COMPANY_INFO, () => {
        answered++;
        return answered <= 2 ? HttpResponse.json(THROTTLED_BODY, { status: 429, headers: { "retry-after": "0", intuit_tid: `tid-throttled-${answered}` } }) : undefined;
      }),
    );
    const result = await companyInfo();
    expect(result.companyInfo.companyName).toBeTruthy();
    const rows = await attempts();
    expect(rows.map((r) => r.outcome)).toEqual(["throttled", "throttled", "success"]);
    expect(rows.map((r) => r.intuitTid)).toEqual(["tid-throttled-1", "tid-throttled-2", result.intuitTid]);
    expect(rows[0]).toMatchObject({ httpStatus: 429, errorCode: "3001" });
    expect(await hourly("throttle_hit", "intuit")).toBe(2);
  });

  it("gives up on a realm that stays throttled with a typed throttled error, after a bounded number of tries", async () => {
    intuit.server.use(http.get(COMPANY_INFO, () => HttpResponse.json(THROTTLED_BODY, { status: 429, headers: { "retry-after": "0" } })));
    const error = await companyInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntuitApiError);
    expect(error).toMatchObject({ kind: "throttled", code: "3001", status: 429 });
    expect(await attempts()).toHaveLength(THROTTLE_RETRIES + 1);
    expect(await hourly("throttle_hit", "intuit")).toBe(THROTTLE_RETRIES + 1);
  });

  it("retries an Intuit outage with backoff, then raises it as a server error", async () => {
    intuit.emulator.injectFault({ target: "api", status: 503, times: 10 });
    const error = await companyInfo().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "server", status: 503 });
    expect((await attempts()).map((r) => r.outcome)).toEqual(Array(TRANSIENT_RETRIES + 1).fill("server"));
  });

  it("recovers when an outage passes within the retries", async () => {
    intuit.emulator.injectFault({ target: "api", status: 500, times: 1 });
    await expect(companyInfo()).resolves.toMatchObject({ realmId: DEFAULT_REALM });
    expect((await attempts()).map((r) => r.outcome)).toEqual(["server", "success"]);
  });

  it("applies its time limit, and retries a timeout as a passing failure", async () => {
    intuit.emulator.injectFault({ target: "api", delayMs: 400, times: 10 });
    const error = await callQuickBooks({ cause: "user", tenantId, timeoutMs: 100 }, "companyinfo", getCompanyInfo).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "timeout" });
    const rows = await attempts();
    expect(rows.map((r) => r.outcome)).toEqual(Array(TRANSIENT_RETRIES + 1).fill("timeout"));
    for (const row of rows) expect(row.latencyMs).toBeLessThan(400);
  });

  it("does not retry a request Intuit rejects, and keeps the reason for support", async () => {
    intuit.emulator.injectFault({ target: "api", status: 400, times: 1 });
    const error = await companyInfo().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "validation", status: 400 });
    const [row] = await db().select().from(qboApiCalls).where(eq(qboApiCalls.tenantId, tenantId)).orderBy(desc(qboApiCalls.id));
    expect(row).toMatchObject({ outcome: "validation", httpStatus: 400 });
    expect(row!.errorMessage).toBeTruthy();
    expect(await attempts()).toHaveLength(1);
  });
});
