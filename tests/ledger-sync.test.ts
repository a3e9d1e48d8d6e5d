// Issue 8, the domain end to end through the route handlers and the Intuit emulator: validate the mappings against the
// live chart, sync it, reconcile, explain, close (and the database then refuses any change), the sandbox-first rule
// for production, a sync that fails part-way and is resumed, and a changes-only sync.
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as getOverview } from "@/app/api/quickbooks/mappings/route";
import { PUT as putMapping } from "@/app/api/quickbooks/mappings/[ledgerAccountId]/route";
import { POST as postSuggest } from "@/app/api/quickbooks/mappings/suggest/route";
import { POST as postValidate } from "@/app/api/quickbooks/mappings/validate/route";
import { GET as getChart } from "@/app/api/quickbooks/qbo-accounts/route";
import { GET as getReconciliations, POST as postReconciliation } from "@/app/api/quickbooks/reconciliations/route";
import { POST as postClose } from "@/app/api/quickbooks/reconciliations/[id]/close/route";
import { GET as getReconciliationCsv } from "@/app/api/quickbooks/reconciliations/[id]/csv/route";
import { PUT as putExplanation } from "@/app/api/quickbooks/reconciliations/[id]/lines/[lineId]/route";
import { POST as postSync } from "@/app/api/quickbooks/sync/route";
import { GET as getSyncRun } from "@/app/api/quickbooks/sync/[id]/route";
import { db } from "@/db";
import { DEMO_CHART, DEMO_DIFFERENCES, DEMO_REALMS, demoLedgerFor, demoQboAccounts } from "@/db/demo-chart";
import { accountMappings, auditEvents, mappingValidations, qboAccounts, quickbooksConnections, reconciliationLines, reconciliations, syncRuns } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { requestSync } from "@/lib/ledger/request-sync";
import { resumeSync } from "@/lib/ledger/resume-sync";
import { runSync, SYNC_PAGE_SIZE } from "@/lib/ledger/run-sync";
import { saveMapping } from "@/lib/ledger/save-mapping";
import { readMappingSet } from "@/lib/ledger/store/mapping-set";
import type { SyncRun } from "@/lib/ledger/store/sync-runs";
import { validateAgainstLiveChart } from "@/lib/ledger/validate-against-live-chart";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const ACME_REALM = DEMO_REALMS.acme;
const QBO_ACCOUNT_COUNT = demoQboAccounts().length;

let acme = "";
let cookie = "";
beforeEach(async () => {
  clearDiscoveryCache();
  // The emulator forgets its grants after every test: start each one from a fresh connection and no synced data.
  // Reconciliations stay (a closed one cannot be deleted, which is the point); each test reads only its own.
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

/** A route request from the console, with a JSON body when given one. */
function request(path: string, init: { method?: string; body?: unknown; as?: string } = {}): Request {
  const base = appRequest(path, { method: init.method, cookie: init.as ?? cookie });
  const headers = new Headers(base.headers);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return new Request(base.url, { method: base.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}
const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });

async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const body = (await response.json()) as T;
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

/** The message of a failed query, with its causes (Drizzle wraps the driver's error). */
async function rejection(query: PromiseLike<unknown>): Promise<string> {
  try {
    await query;
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(" | ");
  }
  throw new Error("the query was expected to fail");
}

/** Polls a sync run through its route until it ends, as the page does. */
async function waitForRun(id: number): Promise<SyncRun & { total: number }> {
  for (let i = 0; i < 200; i++) {
    const { run } = await json<{ run: SyncRun & { total: number } }>(await getSyncRun(request(`/api/quickbooks/sync/${id}`), params({ id: String(id) })), 200);
    if (run.status === "succeeded" || run.status === "failed") return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sync run ${id} did not end`);
}

/** Every stored QuickBooks account of the realm, without the columns that say which run wrote it and when. */
async function storedChart(tenantId: string) {
  return db()
    .select({
      qboId: qboAccounts.qboId,
      name: qboAccounts.name,
      fullyQualifiedName: qboAccounts.fullyQualifiedName,
      accountType: qboAccounts.accountType,
      classification: qboAccounts.classification,
      active: qboAccounts.active,
      currentBalance: qboAccounts.currentBalance,
      syncToken: qboAccounts.syncToken,
      lastUpdatedAt: qboAccounts.lastUpdatedAt,
    })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, tenantId), eq(qboAccounts.realmId, ACME_REALM)))
    .orderBy(asc(qboAccounts.qboId));
}

/** Maps every AWRA account to its demo QuickBooks account and validates in the sandbox (which fetches the chart). */
async function mapEverythingAndValidate(tenantId: string) {
  await validateAgainstLiveChart({ tenantId, environment: "sandbox", actorUserId: null });
  const set = await readMappingSet(tenantId);
  for (const row of set) {
    const demo = DEMO_CHART.find((a) => a.code === row.code)!;
    await saveMapping({ tenantId, ledgerAccountId: row.ledgerAccountId, qboAccountId: demo.qbo.id, environment: "sandbox", actorUserId: null });
  }
  const validation = await validateAgainstLiveChart({ tenantId, environment: "sandbox", actorUserId: null });
  expect(validation.passed).toBe(true);
  return validation;
}

describe("validate, sync, reconcile, explain and close, through the routes", () => {
  it("walks the month end and leaves a reconciliation the database refuses to change", async () => {
    // Nothing fetched yet: the chart is empty, nothing is mapped, nothing validated.
    const before = await json<{ accounts: { code: string; ledgerAccountId: string; qboAccountId: string | null }[]; chart: { accounts: number }; validations: { sandbox: unknown } }>(
      await getOverview(request("/api/quickbooks/mappings")),
      200,
    );
    expect(before.accounts).toHaveLength(DEMO_CHART.length);
    expect(before.chart.accounts).toBe(0);
    expect(before.validations.sandbox).toBeNull();
    const ledgerIdOf = new Map(before.accounts.map((a) => [a.code, a.ledgerAccountId]));

    // A first validation fetches the live chart and fails: the accounts with a balance are not mapped.
    const first = await json<{ validation: { passed: boolean; issues: { code: string; issue: string }[] } }>(
      await postValidate(request("/api/quickbooks/mappings/validate", { method: "POST", body: { environment: "sandbox" } })),
      200,
    );
    expect(first.validation.passed).toBe(false);
    expect(new Set(first.validation.issues.map((i) => i.issue))).toEqual(new Set(["unmapped_balance"]));
    expect(first.validation.issues.map((i) => i.code).sort()).toEqual(demoLedgerFor("acme").filter((a) => Number(a.balance) !== 0).map((a) => a.code).sort());
    expect((await storedChart(acme)).length).toBe(QBO_ACCOUNT_COUNT);

    // The picker's search: by name, a page at a time by keyset, never the whole chart at once.
    const found = await json<{ accounts: { id: string; name: string }[]; hasMore: boolean }>(await getChart(request("/api/quickbooks/qbo-accounts?q=receivable")), 200);
    expect(found.accounts.map((a) => a.name)).toEqual(["Accounts Receivable (A/R)"]);
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 20; page++) {
      const body = await json<{ accounts: { id: string; name: string }[]; hasMore: boolean }>(await getChart(request(`/api/quickbooks/qbo-accounts?limit=10${cursor}`)), 200);
      expect(body.accounts.length).toBeLessThanOrEqual(10);
      seen.push(...body.accounts.map((a) => a.id));
      if (!body.hasMore) break;
      const last = body.accounts.at(-1)!;
      cursor = `&afterName=${encodeURIComponent(last.name)}&afterId=${last.id}`;
    }
    expect(seen).toHaveLength(QBO_ACCOUNT_COUNT);
    expect(new Set(seen).size).toBe(QBO_ACCOUNT_COUNT);

    // Match by name maps the accounts QuickBooks names the same way; the others are left for a person.
    const sameName = DEMO_CHART.filter((a) => a.name === a.qbo.name);
    const suggested = await json<{ mapped: number }>(await postSuggest(request("/api/quickbooks/mappings/suggest", { method: "POST" })), 200);
    expect(suggested.mapped).toBe(sameName.length);
    const afterSuggest = await json<{ accounts: { code: string; qboAccountId: string | null }[] }>(await getOverview(request("/api/quickbooks/mappings")), 200);
    const unmapped = afterSuggest.accounts.filter((a) => a.qboAccountId === null).map((a) => a.code);
    expect(unmapped.sort()).toEqual(DEMO_CHART.filter((a) => a.name !== a.qbo.name).map((a) => a.code).sort());
    for (const row of afterSuggest.accounts.filter((a) => a.qboAccountId !== null)) {
      expect(row.qboAccountId, row.code).toBe(DEMO_CHART.find((a) => a.code === row.code)!.qbo.id);
    }

    // An account QuickBooks does not have is refused, readably; the right ones are saved.
    const firstUnmapped = unmapped[0]!;
    const refused = await json<{ error: { code: string; message: string } }>(
      await putMapping(request(`/api/quickbooks/mappings/${ledgerIdOf.get(firstUnmapped)}`, { method: "PUT", body: { qboAccountId: "999999" } }), params({ ledgerAccountId: ledgerIdOf.get(firstUnmapped)! })),
      422,
    );
    expect(refused.error.code).toBe("unknown_qbo_account");
    for (const code of unmapped) {
      const target = DEMO_CHART.find((a) => a.code === code)!.qbo;
      const saved = await json<{ mapping: { qboAccountId: string; qboAccountName: string } }>(
        await putMapping(request(`/api/quickbooks/mappings/${ledgerIdOf.get(code)}`, { method: "PUT", body: { qboAccountId: target.id, allowShared: false } }), params({ ledgerAccountId: ledgerIdOf.get(code)! })),
        200,
      );
      expect(saved.mapping).toMatchObject({ qboAccountId: target.id, qboAccountName: target.name });
    }

    // Validated in the sandbox: passed, and current.
    const second = await json<{ validation: { passed: boolean; checked: number; mapped: number; issues: unknown[] } }>(
      await postValidate(request("/api/quickbooks/mappings/validate", { method: "POST", body: { environment: "sandbox" } })),
      200,
    );
    expect(second.validation).toMatchObject({ passed: true, checked: DEMO_CHART.length, mapped: DEMO_CHART.length, issues: [] });
    const overview = await json<{ validations: { sandbox: { passed: boolean; current: boolean } } }>(await getOverview(request("/api/quickbooks/mappings")), 200);
    expect(overview.validations.sandbox).toMatchObject({ passed: true, current: true });

    // A full sync, started by the route and followed by polling its run, as the page does.
    const queued = await json<{ run: { id: number; status: string; mode: string } }>(await postSync(request("/api/quickbooks/sync", { method: "POST" })), 202);
    expect(queued.run).toMatchObject({ status: "queued", mode: "full" });
    const synced = await waitForRun(queued.run.id);
    expect(synced).toMatchObject({ status: "succeeded", total: QBO_ACCOUNT_COUNT, processed: QBO_ACCOUNT_COUNT, errors: 0 });

    // Reconcile: exactly the deliberate differences, each AWRA minus QuickBooks.
    const created = await json<{
      reconciliation: { id: number; period: string; status: string };
      lines: { id: number; code: string; awraBalance: string; qboBalance: string; difference: string; explanation: string | null }[];
      totals: { differences: number; unexplained: number };
    }>(await postReconciliation(request("/api/quickbooks/reconciliations", { method: "POST" })), 201);
    const { id, period } = created.reconciliation;
    expect(created.lines).toHaveLength(DEMO_CHART.length);
    const differing = created.lines.filter((l) => Number(l.difference) !== 0);
    expect(differing.map((l) => l.code)).toEqual(DEMO_DIFFERENCES.acme.map((d) => d.code));
    for (const d of DEMO_DIFFERENCES.acme) {
      const line = differing.find((l) => l.code === d.code)!;
      const qbo = DEMO_CHART.find((a) => a.code === d.code)!.qbo.balances.acme;
      expect(line).toMatchObject({ awraBalance: d.awraBalance, qboBalance: qbo, difference: (Math.round(Number(d.awraBalance) * 100 - Number(qbo) * 100) / 100).toFixed(2) });
    }
    expect(created.totals).toMatchObject({ differences: 3, unexplained: 3 });
    const names = (codes: string[]) => codes.map((code) => `${code} ${DEMO_CHART.find((a) => a.code === code)!.name}`).join(", ");
    const allCodes = DEMO_DIFFERENCES.acme.map((d) => d.code);

    // Unexplained differences turn the indicator red, and the checklist names the accounts.
    const red = await getConnectionStatus(acme);
    expect(red.indicator).toBe("red");
    const greenCheck = () => red.checklist.find((c) => c.name === "Sync indicator is green")!;
    expect(greenCheck().passed).toBe(false);
    expect(greenCheck().evidence).toContain(`Reconciliation ${period} has unexplained differences: ${names(allCodes)}.`);

    // Explain one.
    const explained = differing.find((l) => l.code === allCodes[1])!;
    const put = await json<{ line: { explanation: string } }>(
      await putExplanation(
        request(`/api/quickbooks/reconciliations/${id}/lines/${explained.id}`, { method: "PUT", body: { explanation: DEMO_DIFFERENCES.acme[1]!.reason } }),
        params({ id: String(id), lineId: String(explained.id) }),
      ),
      200,
    );
    expect(put.line.explanation).toBe(DEMO_DIFFERENCES.acme[1]!.reason);

    // Close the month.
    const closed = await json<{ reconciliation: { status: string; closedAt: string } }>(await postClose(request(`/api/quickbooks/reconciliations/${id}/close`, { method: "POST" }), params({ id: String(id) })), 200);
    expect(closed.reconciliation.status).toBe("closed");
    expect(closed.reconciliation.closedAt).toBeTruthy();
    const list = await json<{ reconciliations: { id: number; status: string }[] }>(await getReconciliations(request("/api/quickbooks/reconciliations")), 200);
    expect(list.reconciliations.find((r) => r.id === id)?.status).toBe("closed");

    // The routes refuse changes to a closed month, readably.
    const late = await json<{ error: { code: string; message: string } }>(
      await putExplanation(request(`/api/quickbooks/reconciliations/${id}/lines/${explained.id}`, { method: "PUT", body: { explanation: "" } }), params({ id: String(id), lineId: String(explained.id) })),
      409,
    );
    expect(late.error).toMatchObject({ code: "reconciliation_closed", message: expect.stringMatching(/closed/) });
    expect((await postClose(request(`/api/quickbooks/reconciliations/${id}/close`, { method: "POST" }), params({ id: String(id) }))).status).toBe(409);

    // And so does the database itself, whatever the code: no UPDATE or DELETE of the reconciliation or its lines.
    const frozen = /a closed reconciliation cannot change/;
    expect(await rejection(db().update(reconciliations).set({ status: "open" }).where(eq(reconciliations.id, id)))).toMatch(frozen);
    expect(await rejection(db().delete(reconciliations).where(eq(reconciliations.id, id)))).toMatch(frozen);
    expect(await rejection(db().update(reconciliationLines).set({ explanation: "rewritten" }).where(eq(reconciliationLines.reconciliationId, id)))).toMatch(frozen);
    expect(await rejection(db().delete(reconciliationLines).where(eq(reconciliationLines.reconciliationId, id)))).toMatch(frozen);
    expect(
      await rejection(db().insert(reconciliationLines).values({ reconciliationId: id, tenantId: acme, code: "9999", name: "Added later", awraBalance: "1.00", difference: "1.00" })),
    ).toMatch(frozen);
    const [still] = await db().select().from(reconciliations).where(eq(reconciliations.id, id));
    expect(still?.status).toBe("closed");

    // Closed, the two unexplained accounts still hold the indicator red.
    const after = await getConnectionStatus(acme);
    expect(after.indicator).toBe("red");
    expect(after.checklist.find((c) => c.name === "Sync indicator is green")!.evidence).toContain(
      `Reconciliation ${period} has unexplained differences: ${names(allCodes.filter((c) => c !== allCodes[1]))}.`,
    );

    // The CSV: a header, one row per line with its explanation, and the totals.
    const csv = await getReconciliationCsv(request(`/api/quickbooks/reconciliations/${id}/csv`), params({ id: String(id) }));
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("code,name,qbo_account_id,qbo_account_name,awra_balance,qbo_balance,difference,explanation,explained_at");
    expect(text).toContain(DEMO_DIFFERENCES.acme[1]!.reason);
    // The totals, then the close's basis: the Trial Balance the QuickBooks side was read from (issue 17 point 4).
    const rows = text.trimEnd().split("\r\n");
    const basis = rows.filter((row) => row.startsWith("BASIS,"));
    expect(rows.at(-1 - basis.length)).toMatch(/^TOTAL,/);
    expect(basis.map((row) => row.split(",")[1])).toEqual(["report", "environment", "realm_id", "start_date", "end_date", "accounting_method", "read_at", "intuit_tid"]);
    expect(basis).toContain(`BASIS,end_date,${still!.reportEndDate},,,,,,`);
    expect(still!.reportEndDate).toBe(still!.asOf);
    expect(still!.accountingMethod).toBe("Accrual");
  });
});

describe("the sandbox-first rule", () => {
  it("refuses a production sync until the current mapping set has passed validation in the sandbox, and says why", async () => {
    // The tenant also holds an active production connection (made elsewhere; only its row matters before any call).
    await db().insert(quickbooksConnections).values({ tenantId: acme, environment: "production", status: "active", realmId: "123146000000001", connectedAt: new Date() });
    const production = () => postSync(request("/api/quickbooks/sync", { method: "POST", body: { environment: "production" } }));

    // Never validated.
    const never = await json<{ error: { code: string; message: string } }>(await production(), 409);
    expect(never.error).toEqual({ code: "sync_refused", message: "The mappings have never been validated in the sandbox. Validate them against the sandbox company first." });

    // Validated, but failed.
    await validateAgainstLiveChart({ tenantId: acme, environment: "sandbox", actorUserId: null });
    const failed = await json<{ error: { code: string; message: string } }>(await production(), 409);
    expect(failed.error.code).toBe("sync_refused");
    expect(failed.error.message).toMatch(/^The last sandbox validation found \d+ problem\(s\)\. Fix them and validate again\.$/);

    // Passed, then a mapping changed: no longer current.
    await mapEverythingAndValidate(acme);
    const [first] = await readMappingSet(acme);
    await saveMapping({ tenantId: acme, ledgerAccountId: first!.ledgerAccountId, qboAccountId: first!.qboAccountId, allowShared: true, environment: "sandbox", actorUserId: null });
    const stale = await json<{ error: { code: string; message: string } }>(await production(), 409);
    expect(stale.error).toEqual({ code: "sync_refused", message: "The mappings changed since their last sandbox validation. Validate them in the sandbox again." });

    // Validated again, but no mapping has its production account confirmed (ids differ between the companies).
    await validateAgainstLiveChart({ tenantId: acme, environment: "sandbox", actorUserId: null });
    const mapped = (await readMappingSet(acme)).filter((r) => r.qboAccountId !== null).length;
    const unresolved = await json<{ error: { code: string; message: string } }>(await production(), 409);
    expect(unresolved.error.message).toBe(`${mapped} of ${mapped} mapped accounts have no production account confirmed for this company. Resolve the mappings in production and confirm them.`);
    const refusals = await db().select().from(auditEvents).where(and(eq(auditEvents.tenantId, acme), eq(auditEvents.action, "sync.refused")));
    expect(refusals).toHaveLength(4);
    expect(refusals.every((e) => e.outcome === "failure")).toBe(true);
    expect(await db().select().from(syncRuns).where(eq(syncRuns.environment, "production"))).toHaveLength(0);

    // Confirmed in production (tests/ledger-production-move.test.ts resolves them for real): the production sync is
    // accepted (queued), and a sandbox sync never needed any of this.
    await db()
      .update(accountMappings)
      .set({ productionRealmId: "123146000000001", productionAccountId: sql`${accountMappings.qboAccountId}`, productionMatchedBy: "number", productionConfirmedAt: new Date() })
      .where(and(eq(accountMappings.tenantId, acme), isNotNull(accountMappings.qboAccountId)));
    const accepted = await json<{ run: { id: number; environment: string; status: string } }>(await production(), 202);
    expect(accepted.run).toMatchObject({ environment: "production" });
    await db().delete(syncRuns).where(eq(syncRuns.id, accepted.run.id));
    await db().delete(quickbooksConnections).where(and(eq(quickbooksConnections.tenantId, acme), eq(quickbooksConnections.environment, "production")));
  });
});

describe("a sync that fails part-way", () => {
  it("resumes where it stopped and ends with exactly the rows of an uninterrupted sync", async () => {
    // A chart of three pages: the demo accounts and enough more, created in QuickBooks.
    const extra = 2 * SYNC_PAGE_SIZE + 40 - QBO_ACCOUNT_COUNT;
    for (let n = 0; n < extra; n++) {
      intuit.emulator.addAccount(ACME_REALM, { name: `Job Cost Center ${String(n).padStart(4, "0")}`, accountType: "Expense", balance: (n * 3.17).toFixed(2) });
    }
    const total = QBO_ACCOUNT_COUNT + extra;

    // Uninterrupted.
    const whole = await runSync((await requestSync({ tenantId: acme, actorUserId: null })).id);
    expect(whole).toMatchObject({ status: "succeeded", mode: "full", total, processed: total, errors: 0 });
    const reference = await storedChart(acme);
    expect(reference).toHaveLength(total);

    // Start again from nothing, and let Intuit fail (500, through every retry) once the first page is stored.
    await db().delete(syncRuns).where(eq(syncRuns.tenantId, acme));
    await db().delete(qboAccounts).where(eq(qboAccounts.tenantId, acme));
    const run = await requestSync({ tenantId: acme, actorUserId: null });
    expect(run.mode).toBe("full");
    const pages: number[] = [];
    const failed = await runSync(run.id, {
      onPage: (r) => {
        pages.push(r.processed);
        if (pages.length === 1) intuit.emulator.injectFault({ target: "api", status: 500, times: 3 });
      },
    });
    expect(pages).toEqual([SYNC_PAGE_SIZE]);
    expect(failed).toMatchObject({ status: "failed", cursor: SYNC_PAGE_SIZE, processed: SYNC_PAGE_SIZE, total });
    expect(failed!.errorMessage).toBeTruthy();
    expect(failed!.errorMessage).not.toMatch(/<|\{/); // a sentence for people, not Intuit's raw body
    expect(await storedChart(acme)).toHaveLength(SYNC_PAGE_SIZE);

    // While another sync of the connection is queued, the failed one waits (one active run per connection).
    const other = await requestSync({ tenantId: acme, actorUserId: null });
    await expect(resumeSync(acme, run.id)).rejects.toMatchObject({ code: "sync_in_progress", status: 409 });
    await db().delete(syncRuns).where(eq(syncRuns.id, other.id));

    // Resumed: it continues from its cursor, counts each account once, and stores exactly the same rows.
    const resumed = await resumeSync(acme, run.id);
    expect(resumed).toMatchObject({ status: "queued", cursor: SYNC_PAGE_SIZE, errorMessage: null });
    const afterResume: number[] = [];
    const done = await runSync(run.id, { onPage: (r) => void afterResume.push(r.processed) });
    expect(afterResume).toEqual([2 * SYNC_PAGE_SIZE, total]);
    expect(done).toMatchObject({ id: run.id, status: "succeeded", total, processed: total, errors: 0 });
    expect(await storedChart(acme)).toEqual(reference);
    const writers = await db().selectDistinct({ run: qboAccounts.syncRunId }).from(qboAccounts).where(eq(qboAccounts.tenantId, acme));
    expect(writers).toEqual([{ run: run.id }]);

    // Only a failed run can be resumed.
    await expect(resumeSync(acme, run.id)).rejects.toMatchObject({ code: "not_resumable" });
  });
});

describe("a changes-only sync", () => {
  it("picks up an account changed in QuickBooks since the last sync, and nothing else", async () => {
    const full = await runSync((await requestSync({ tenantId: acme, actorUserId: null })).id);
    expect(full).toMatchObject({ status: "succeeded", mode: "full", processed: QBO_ACCOUNT_COUNT });
    const before = await storedChart(acme);

    // In QuickBooks, the inventory is counted again.
    const inventory = DEMO_CHART.find((a) => a.code === "1200")!.qbo;
    intuit.emulator.updateAccount(ACME_REALM, inventory.id, { balance: "38212.18" });

    const run = await requestSync({ tenantId: acme, actorUserId: null });
    expect(run.mode).toBe("changes");
    const done = await runSync(run.id);
    expect(done).toMatchObject({ status: "succeeded", mode: "changes", total: 1, processed: 1, updated: 1, errors: 0 });

    const after = await storedChart(acme);
    const changed = after.find((a) => a.qboId === inventory.id)!;
    expect(changed.currentBalance).toBe("38212.18");
    expect(changed.syncToken).not.toBe(before.find((a) => a.qboId === inventory.id)!.syncToken);
    expect(after.filter((a) => a.qboId !== inventory.id)).toEqual(before.filter((a) => a.qboId !== inventory.id));
    const [row] = await db().select({ run: qboAccounts.syncRunId }).from(qboAccounts).where(and(eq(qboAccounts.tenantId, acme), eq(qboAccounts.qboId, inventory.id)));
    expect(row?.run).toBe(run.id);

    // A third sync with nothing new changes nothing.
    const quiet = await runSync((await requestSync({ tenantId: acme, actorUserId: null })).id);
    expect(quiet).toMatchObject({ status: "succeeded", mode: "changes", updated: 0 });
  });
});
