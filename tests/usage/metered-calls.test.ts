// Every request the API client sends to Intuit is counted in intuit_usage_daily, exactly, per UTC day, Intuit app,
// environment, tenant, operation and cause (lib/metrics/record.ts, in the statement that stores the call's row), so the
// usage page, the alerts and the governor see what Intuit meters. A refusal of our own limiter never left the process
// and is not counted.
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { intuitUsageDaily, qboApiCalls, qboRealmPermits } from "@/db/schema";
import { countAccounts } from "@/lib/intuit/account-query";
import { getChangeDataCapture } from "@/lib/intuit/change-data-capture";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { getTrialBalance } from "@/lib/intuit/trial-balance";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { IntuitApiError } from "@/lib/intuit/faults";
import { READ_CAUSES, type IntuitOperation } from "@/lib/intuit/operations";
import type { QboCallInput } from "@/lib/intuit/qbo-request";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { callQuickBooks, TRANSIENT_RETRIES } from "@/lib/quickbooks/client/qbo-client";
import { usageDayOf } from "@/lib/usage/rules/quota-month";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { rejectionOf } from "@/tests/rejection";

useTestDatabase();
const intuit = useIntuitMock();

type MeteredRequest = (input: QboCallInput) => Promise<{ intuitTid: string | null }>;

const REQUESTS: Record<IntuitOperation, MeteredRequest> = {
  companyinfo: getCompanyInfo,
  query: countAccounts,
  cdc: (input) => getChangeDataCapture({ ...input, entities: ["Account"], changedSince: new Date(Date.now() - 60_000) }),
  report: (input) => getTrialBalance({ ...input, startDate: "2026-01-01", endDate: "2026-11-30", accountingMethod: "Accrual" }),
};

let tenantId = "";
beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
  const connected = await connectTenant("accountant@acme.test");
  expect(connected.outcome).toBe("connected");
  tenantId = connected.tenantId;
  // The callback's own proof (a CompanyInfo read) is counted too; each test counts from zero.
  for (const table of [intuitUsageDaily, qboApiCalls, qboRealmPermits]) await db().delete(table).where(sql`true`);
});

const usage = () =>
  db()
    .select()
    .from(intuitUsageDaily)
    .where(eq(intuitUsageDaily.tenantId, tenantId))
    .orderBy(intuitUsageDaily.appKey, intuitUsageDaily.operation, intuitUsageDaily.cause);

describe("metering every call", () => {
  it("counts N calls of each operation and cause as exactly N, under the app, environment, tenant and UTC day", async () => {
    const N = 2;
    const apiBefore = intuit.emulator.apiRequests().length;
    for (const cause of READ_CAUSES) {
      for (const [operation, request] of Object.entries(REQUESTS) as [IntuitOperation, MeteredRequest][]) {
        for (let i = 0; i < N; i++) await callQuickBooks({ tenantId, cause }, operation, request);
      }
    }
    const rows = await usage();
    const expected = Object.keys(REQUESTS).flatMap((operation) => READ_CAUSES.map((cause) => `${operation} ${cause}`));
    expect(rows.map((row) => `${row.operation} ${row.cause}`).sort()).toEqual(expected.sort());
    for (const row of rows) {
      expect(row).toMatchObject({ day: usageDayOf(new Date()), appKey: "platform", environment: "sandbox", tenantId, category: "coreplus", calls: N });
    }
    // What the product counted is what reached Intuit.
    expect(intuit.emulator.apiRequests().length - apiBefore).toBe(N * READ_CAUSES.length * Object.keys(REQUESTS).length);
    expect(rows.reduce((sum, row) => sum + row.calls, 0)).toBe(intuit.emulator.apiRequests().length - apiBefore);
  });

  it("counts every attempt sent, whatever Intuit answered, and never a refusal of our own limiter", async () => {
    // Two 500s then the answer: three attempts reached Intuit.
    intuit.emulator.injectFault({ target: "api", status: 500, times: TRANSIENT_RETRIES });
    await callQuickBooks({ tenantId, cause: "sync" }, "companyinfo", getCompanyInfo);
    // A 400 is counted as well: Intuit counts the request, not its outcome.
    intuit.emulator.injectFault({ target: "api", status: 400, times: 1 });
    await rejectionOf(callQuickBooks({ tenantId, cause: "sync" }, "query", countAccounts), IntuitApiError);
    expect((await usage()).map((r) => [r.operation, r.cause, r.calls])).toEqual([
      ["companyinfo", "sync", TRANSIENT_RETRIES + 1],
      ["query", "sync", 1],
    ]);

    // One request a minute: the second call is refused here, before anything is sent.
    await db().delete(qboRealmPermits).where(sql`true`);
    const limits = { requestsPerWindow: 1, windowMs: 60_000, concurrent: 10 };
    await callQuickBooks({ tenantId, cause: "checks", limits, maxWaitMs: 50 }, "companyinfo", getCompanyInfo);
    const refused = await rejectionOf(callQuickBooks({ tenantId, cause: "checks", limits, maxWaitMs: 50 }, "companyinfo", getCompanyInfo), IntuitApiError);
    expect(refused).toMatchObject({ kind: "throttled", code: "local_limit" });
    const checks = (await usage()).filter((r) => r.cause === "checks");
    expect(checks.map((r) => r.calls)).toEqual([1]);
    // The refusal still has its row in the call log, for the health dashboard.
    expect(await db().select().from(qboApiCalls).where(eq(qboApiCalls.errorCode, "local_limit"))).toHaveLength(1);
  });

  it("meters a tenant's own Intuit app apart from the platform's", async () => {
    const own = { ...(await intuitAppFor(tenantId)), credentialsSource: "tenant" as const };
    await callQuickBooks({ tenantId, cause: "user", app: own }, "companyinfo", getCompanyInfo);
    await callQuickBooks({ tenantId, cause: "user" }, "companyinfo", getCompanyInfo);
    expect((await usage()).map((r) => [r.appKey, r.calls])).toEqual([
      ["platform", 1],
      [`tenant:${tenantId}`, 1],
    ]);
  });
});
