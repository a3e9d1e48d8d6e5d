// Issue 17 (points 1 and 4): a month is closed against QuickBooks' Trial Balance as of the month's last day, not the
// synced CurrentBalance (today's, and balance-sheet accounts only). A past month is closed after later transactions
// were posted in QuickBooks: the reconciliation holds the balances of that month's end and shows only the deliberate
// differences; a ledger stated at another date is refused; the report the close was read from is stored and printed.
import { and, eq, gte, sql } from "drizzle-orm";
import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as postReconciliation } from "@/app/api/quickbooks/reconciliations/route";
import { GET as getReconciliationCsv } from "@/app/api/quickbooks/reconciliations/[id]/csv/route";
import { GET as getSettings, PUT as putSettings } from "@/app/api/quickbooks/reconciliations/settings/route";
import { db } from "@/db";
import { DEMO_CHART, DEMO_DIFFERENCES, DEMO_REALMS } from "@/db/demo-chart";
import { accountMappings, auditEvents, ledgerAccounts, mappingValidations, qboAccounts, reconciliations, syncRuns } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { closeReconciliation } from "@/lib/ledger/close-reconciliation";
import { createReconciliation } from "@/lib/ledger/create-reconciliation";
import { readReconciliation } from "@/lib/ledger/read-reconciliation";
import { requestSync } from "@/lib/ledger/request-sync";
import { periodEndOf } from "@/lib/ledger/rules/period-balances";
import { runSync } from "@/lib/ledger/run-sync";
import { saveMapping } from "@/lib/ledger/save-mapping";
import { readMappingSet } from "@/lib/ledger/store/mapping-set";
import { validateAgainstLiveChart } from "@/lib/ledger/validate-against-live-chart";
import { addDays } from "@/mocks/intuit/journal";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, expireAccessToken, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const ACME_REALM = DEMO_REALMS.acme;
const demo = (code: string) => DEMO_CHART.find((a) => a.code === code)!;
const cents = (amount: string) => Math.round(Number(amount) * 100);
const plus = (amount: string, add: number) => ((cents(amount) + add * 100) / 100).toFixed(2);

let acme = "";
let cookie = "";
beforeEach(async () => {
  clearDiscoveryCache();
  const everything = sql`true`;
  await db().delete(syncRuns).where(everything);
  await db().delete(qboAccounts).where(everything);
  await db().delete(accountMappings).where(everything);
  await db().delete(mappingValidations).where(everything);
  await resetQuickBooksData();
  const connected = await connectTenant("accountant@acme.test");
  expect(connected.outcome).toBe("connected");
  acme = connected.tenantId;
  cookie = connected.cookie;
});

/** Maps every AWRA account to its demo QuickBooks account and validates in the sandbox (which fetches the chart). */
async function mapEverything(): Promise<void> {
  await validateAgainstLiveChart({ tenantId: acme, environment: "sandbox", actorUserId: null });
  for (const row of await readMappingSet(acme)) {
    await saveMapping({ tenantId: acme, ledgerAccountId: row.ledgerAccountId, qboAccountId: demo(row.code).qbo.id, environment: "sandbox", actorUserId: null });
  }
  expect((await validateAgainstLiveChart({ tenantId: acme, environment: "sandbox", actorUserId: null })).passed).toBe(true);
}

async function sync(): Promise<void> {
  const run = await runSync((await requestSync({ tenantId: acme, actorUserId: null })).id);
  expect(run?.status).toBe("succeeded");
}

/** States the whole AWRA ledger as of a date (an import replaces it as one, every row at one as_of). */
async function stateLedgerAt(asOf: string): Promise<void> {
  await db().update(ledgerAccounts).set({ asOf }).where(eq(ledgerAccounts.tenantId, acme));
}

/**
 * The month being closed, and the emulator's clock moved past it: the company's current month (whose end is in the
 * fiscal year the demo books are restated in, whatever today is), closed ten days after it ended.
 */
function closeAMonthLater(): { period: string; periodEnd: string } {
  const today = intuit.emulator.today();
  const period = today.slice(0, 7);
  const periodEnd = periodEndOf(period);
  const days = Math.round((Date.parse(`${periodEnd}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000) + 10;
  intuit.emulator.advanceTime(days * 86_400);
  expect(intuit.emulator.today() > periodEnd).toBe(true);
  return { period, periodEnd };
}

describe("closing a month against the Trial Balance as of its last day", () => {
  it("uses the balances at the month's end, not today's, after later transactions were posted in QuickBooks", async () => {
    // Verify stored where the company's fiscal year starts (CompanyInfo FiscalYearStartMonth: January).
    expect((await connectionRow(acme))?.fiscalYearStartMonth).toBe(1);
    await mapEverything();
    const { period, periodEnd } = closeAMonthLater();
    await stateLedgerAt(periodEnd);

    // After the month ended, QuickBooks gets more work: a service invoice paid into Savings, and wages accrued.
    const savings = demo("1010");
    const revenue = demo("4000");
    const labor = demo("5020");
    const wages = demo("2140");
    for (const code of [savings, revenue, labor, wages].map((a) => a.code)) expect(DEMO_DIFFERENCES.acme.map((d) => d.code)).not.toContain(code);
    intuit.emulator.postJournalEntry(ACME_REALM, {
      date: addDays(periodEnd, 2),
      memo: "Service paid after the month end",
      lines: [
        { accountId: savings.qbo.id, debit: "500.00" },
        { accountId: revenue.qbo.id, credit: "500.00" },
      ],
    });
    intuit.emulator.postJournalEntry(ACME_REALM, {
      date: addDays(periodEnd, 5),
      memo: "Wages accrued after the month end",
      lines: [
        { accountId: labor.qbo.id, debit: "1200.00" },
        { accountId: wages.qbo.id, credit: "1200.00" },
      ],
    });

    // The sync, after them, brings today's CurrentBalance: the later payment is in it; income and expense have none.
    await expireAccessToken(acme);
    await sync();
    const stored = new Map((await db().select().from(qboAccounts).where(and(eq(qboAccounts.tenantId, acme), eq(qboAccounts.realmId, ACME_REALM)))).map((a) => [a.qboId, a]));
    expect(stored.get(savings.qbo.id)?.currentBalance).toBe(plus(savings.qbo.balances.acme, 500));
    expect(stored.get(wages.qbo.id)?.currentBalance).toBe(plus(wages.qbo.balances.acme, 1200));

    // The reconciliation of the month (by default the month of the ledger's as_of) compares at its last day.
    const before = Date.now();
    const created = await createReconciliation({ tenantId: acme, actorUserId: null });
    const read = (await readReconciliation(acme, created.id))!;
    expect(read.reconciliation).toMatchObject({ period, asOf: periodEnd, reportEndDate: periodEnd, reportStartDate: `${periodEnd.slice(0, 4)}-01-01`, accountingMethod: "Accrual" });
    expect(read.reconciliation.reportIntuitTid).toMatch(/\S/);
    expect(read.reconciliation.reportReadAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // Only the deliberate differences; the accounts the later entries touched agree at the month's end.
    const differing = read.lines.filter((l) => cents(l.difference) !== 0);
    expect(differing.map((l) => l.code)).toEqual(DEMO_DIFFERENCES.acme.map((d) => d.code));
    expect(read.lines).toHaveLength(DEMO_CHART.length);
    for (const account of [savings, revenue, labor, wages]) {
      const line = read.lines.find((l) => l.code === account.code)!;
      expect(line, account.code).toMatchObject({ qboBalance: account.qbo.balances.acme, difference: "0.00" });
    }
    // Every income and expense account has its fiscal-year-to-date balance (CurrentBalance has none for them).
    for (const line of read.lines) expect(line.qboBalance, line.code).not.toBeNull();

    // The one report read is a metered CorePlus call, and the audit event names the report.
    const [event] = await db().select().from(auditEvents).where(and(eq(auditEvents.tenantId, acme), eq(auditEvents.target, `reconciliation:${created.id}`)));
    expect(event?.details).toMatchObject({ reportEndDate: periodEnd, accountingMethod: "Accrual", intuitTid: read.reconciliation.reportIntuitTid, fiscalYearStartMonth: 1, fiscalYearStartMonthAssumed: false, notInChart: 0 });

    // Closed, its CSV states the basis, so an auditor can ask Intuit for the same report.
    await closeReconciliation({ tenantId: acme, reconciliationId: created.id, actorUserId: null });
    const csv = await getReconciliationCsv(appRequest(`/api/quickbooks/reconciliations/${created.id}/csv`, { cookie }), { params: Promise.resolve({ id: String(created.id) }) });
    expect(csv.status).toBe(200);
    const rows = parse(await csv.text()) as string[][];
    const basis = Object.fromEntries(rows.filter((r) => r[0] === "BASIS").map((r) => [r[1], r[2]]));
    expect(basis).toEqual({
      report: "TrialBalance",
      environment: "sandbox",
      realm_id: ACME_REALM,
      start_date: `${periodEnd.slice(0, 4)}-01-01`,
      end_date: periodEnd,
      accounting_method: "Accrual",
      read_at: read.reconciliation.reportReadAt!.toISOString(),
      intuit_tid: read.reconciliation.reportIntuitTid,
    });
    expect(rows.findIndex((r) => r[0] === "TOTAL")).toBe(rows.findIndex((r) => r[0] === "BASIS") - 1);
  });

  it("refuses a ledger stated at another date than the period's last day, and says which ledger to load", async () => {
    const started = new Date();
    await mapEverything();
    await sync();
    const period = intuit.emulator.today().slice(0, 7);
    const periodEnd = periodEndOf(period);
    const midMonth = `${period}-15`;
    await stateLedgerAt(midMonth);

    const refuse = async (body: Record<string, unknown>) => {
      const base = appRequest("/api/quickbooks/reconciliations", { method: "POST", cookie });
      const headers = new Headers(base.headers);
      headers.set("content-type", "application/json");
      const response = await postReconciliation(new Request(base.url, { method: "POST", headers, body: JSON.stringify(body) }));
      expect(response.status).toBe(409);
      return ((await response.json()) as { error: { code: string; message: string } }).error;
    };

    // By default the month of the ledger's as_of: its last day is not the ledger's date.
    const byDefault = await refuse({});
    expect(byDefault.code).toBe("ledger_date_mismatch");
    expect(byDefault.message).toContain(midMonth);
    expect(byDefault.message).toContain(periodEnd);
    expect(byDefault.message).toMatch(/Load the AWRA ledger stated as of/);

    // A month-end ledger, for another period than the one asked.
    await stateLedgerAt(periodEnd);
    const previous = new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)) - 2, 1)).toISOString().slice(0, 7);
    const other = await refuse({ period: previous });
    expect(other.code).toBe("ledger_date_mismatch");
    expect(other.message).toContain(periodEnd);
    expect(other.message).toContain(periodEndOf(previous));

    // Nothing stored for a refused period.
    expect(await db().select().from(reconciliations).where(and(eq(reconciliations.tenantId, acme), gte(reconciliations.createdAt, started)))).toEqual([]);
  });

  it("reads the Trial Balance on the tenant's accounting method, which an accountant sets and an auditor cannot", async () => {
    await mapEverything();
    await sync();
    await stateLedgerAt(periodEndOf(intuit.emulator.today().slice(0, 7)));
    const setMethod = async (who: string, body: unknown) => {
      const base = appRequest("/api/quickbooks/reconciliations/settings", { method: "PUT", cookie: who });
      const headers = new Headers(base.headers);
      headers.set("content-type", "application/json");
      return putSettings(new Request(base.url, { method: "PUT", headers, body: JSON.stringify(body) }));
    };
    // Accrual until someone says otherwise.
    expect(await (await getSettings(appRequest("/api/quickbooks/reconciliations/settings", { cookie }))).json()).toEqual({ accountingMethod: "Accrual" });
    expect((await setMethod(await sessionCookie("auditor@acme.test"), { accountingMethod: "Cash" })).status).toBe(403);
    const bad = await setMethod(cookie, { accountingMethod: "Modified cash" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_request");

    const floor = (await db().select({ id: sql<number>`coalesce(max(${auditEvents.id}), 0)::int` }).from(auditEvents))[0]!.id;
    const saved = await setMethod(cookie, { accountingMethod: "Cash" });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ accountingMethod: "Cash" });
    const changes = await db().select().from(auditEvents).where(and(gte(auditEvents.id, floor + 1), eq(auditEvents.action, "ledger.accounting_method_changed")));
    expect(changes.map((e) => e.details)).toEqual([{ before: "Accrual", after: "Cash" }]);

    // The report is asked for on the cash basis (the basis stored is the one QuickBooks' report header states).
    const created = await createReconciliation({ tenantId: acme, actorUserId: null });
    expect((await readReconciliation(acme, created.id))!.reconciliation.accountingMethod).toBe("Cash");
  });
});
