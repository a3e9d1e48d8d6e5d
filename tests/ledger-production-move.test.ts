// Issue 17, point 3: the mappings survive the move from the sandbox company to the production company, whose account
// ids differ. Each mapping keeps its account's number and full name; resolving in production finds it by them (and
// shows an ambiguity when the two disagree), stores nothing until an accountant confirms, and a production sync needs
// every mapping confirmed. The production month then closes with the deliberate differences only.
import { and, eq, gte, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as postConfirm } from "@/app/api/quickbooks/mappings/production/confirm/route";
import { POST as postResolve } from "@/app/api/quickbooks/mappings/production/resolve/route";
import { db } from "@/db";
import { DEMO_CHART, DEMO_DIFFERENCES, DEMO_PRODUCTION_REALMS, DEMO_REALMS, demoProductionAccountId } from "@/db/demo-chart";
import { accountMappings, auditEvents, intuitCredentials, mappingValidations, qboAccounts, syncRuns, tenantIntuitSettings, users } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { createReconciliation } from "@/lib/ledger/create-reconciliation";
import { readReconciliation } from "@/lib/ledger/read-reconciliation";
import { requestSync } from "@/lib/ledger/request-sync";
import type { ProductionResolution } from "@/lib/ledger/resolve-in-production";
import { runSync } from "@/lib/ledger/run-sync";
import { saveMapping } from "@/lib/ledger/save-mapping";
import { readMappingSet } from "@/lib/ledger/store/mapping-set";
import { validateAgainstLiveChart } from "@/lib/ledger/validate-against-live-chart";
import { updateIntuitSettings } from "@/lib/quickbooks/update-intuit-settings";
import { DEFAULT_PRODUCTION_CLIENT_ID, DEFAULT_PRODUCTION_CLIENT_SECRET } from "@/mocks/intuit/fixtures";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { APP, appRequest, consoleHeaders } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

// The emulator plays Intuit's production too (lib/env.ts intuitEndpointsFor), as in the browser tests.
beforeAll(() => {
  process.env.EMULATOR_URL = "http://intuit.test";
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.EMULATOR_URL;
  resetEnvForTests();
});

const PRODUCTION_REALM = DEMO_PRODUCTION_REALMS.acme;
const demo = (code: string) => DEMO_CHART.find((a) => a.code === code)!;

let acme = "";
let cookie = "";
beforeEach(async () => {
  clearDiscoveryCache();
  const everything = sql`true`;
  await db().delete(syncRuns).where(everything);
  await db().delete(qboAccounts).where(everything);
  await db().delete(accountMappings).where(everything);
  await db().delete(mappingValidations).where(everything);
  await db().delete(intuitCredentials).where(everything);
  await db().delete(tenantIntuitSettings).where(everything);
  await resetQuickBooksData();
  const sandbox = await connectTenant("accountant@acme.test", DEMO_REALMS.acme);
  expect(sandbox.outcome).toBe("connected");
  acme = sandbox.tenantId;
  // Mapped and validated in the sandbox, where mappings are made.
  await validateAgainstLiveChart({ tenantId: acme, environment: "sandbox", actorUserId: null });
  for (const row of await readMappingSet(acme)) await saveMapping({ tenantId: acme, ledgerAccountId: row.ledgerAccountId, qboAccountId: demo(row.code).qbo.id, actorUserId: null });
  expect((await validateAgainstLiveChart({ tenantId: acme, environment: "sandbox", actorUserId: null })).passed).toBe(true);

  // The admin moves the tenant to production with the production app's keys, and the accountant connects its company.
  const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
  await updateIntuitSettings(acme, admin!.id, { environment: "production", clientId: DEFAULT_PRODUCTION_CLIENT_ID, clientSecret: DEFAULT_PRODUCTION_CLIENT_SECRET });
  clearDiscoveryCache();
  const production = await connectTenant("accountant@acme.test", PRODUCTION_REALM);
  expect(production.outcome).toBe("connected");
  cookie = production.cookie;
});

const resolve = async () => {
  const response = await postResolve(appRequest("/api/quickbooks/mappings/production/resolve", { method: "POST", cookie }));
  expect(response.status).toBe(200);
  return (await response.json()) as ProductionResolution;
};
const confirm = (body: unknown) =>
  postConfirm(
    new Request(`${APP}/api/quickbooks/mappings/production/confirm`, {
      method: "POST",
      headers: { ...consoleHeaders(cookie), "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
const choicesOf = (resolution: ProductionResolution, pick: Record<string, string> = {}) =>
  resolution.resolutions.flatMap((r) =>
    r.status === "resolved" ? [{ ledgerAccountId: r.ledgerAccountId, qboAccountId: r.target.id }] : pick[r.code] ? [{ ledgerAccountId: r.ledgerAccountId, qboAccountId: pick[r.code]! }] : [],
  );

describe("moving the mappings from the sandbox company to the production company", () => {
  it("keeps each mapping's number and full name, resolves them by those in production, and needs confirmation before a production sync", async () => {
    const sandboxIds = new Set((await readMappingSet(acme)).map((r) => r.qboAccountId));
    const checking = (await readMappingSet(acme)).find((r) => r.code === "1000")!;
    expect(checking).toMatchObject({ qboAccountNumber: "1000", qboAccountFqn: demo("1000").qbo.name, production: null });

    // Production's chart was renumbered in one place: 1000 is now a new "Operating Account", Checking is 1001.
    const checkingInProduction = demoProductionAccountId(demo("1000").qbo.id);
    intuit.emulator.updateAccount(PRODUCTION_REALM, checkingInProduction, { acctNum: "1001" });
    const operating = intuit.emulator.addAccount(PRODUCTION_REALM, { name: "Operating Account", accountType: "Bank", acctNum: "1000" });

    // Nothing confirmed yet: the production sync is refused and says what to do.
    await expect(requestSync({ tenantId: acme, actorUserId: null })).rejects.toMatchObject({ code: "sync_refused", userMessage: expect.stringContaining("Resolve the mappings in production") });

    const firstRead = intuit.emulator.apiRequests().length;
    const resolution = await resolve();
    expect(resolution.realmId).toBe(PRODUCTION_REALM);
    // It read the production company (a metered read there), and stored nothing of the mappings.
    expect(intuit.emulator.apiRequests().slice(firstRead).every((r) => r.realmId === PRODUCTION_REALM)).toBe(true);
    expect((await readMappingSet(acme)).every((r) => r.production === null)).toBe(true);

    const byCode = new Map(resolution.resolutions.map((r) => [r.code, r]));
    expect(byCode.get("1000")).toMatchObject({
      status: "ambiguous",
      candidates: [
        { id: operating.id, matchedBy: "number" },
        { id: checkingInProduction, matchedBy: "name" },
      ],
    });
    const resolved = resolution.resolutions.filter((r) => r.status === "resolved");
    expect(resolved).toHaveLength(DEMO_CHART.length - 1);
    for (const r of resolved) {
      if (r.status !== "resolved") continue;
      // Every one found by its number, at the production id: never a sandbox id.
      expect(r.target).toMatchObject({ id: demoProductionAccountId(demo(r.code).qbo.id), matchedBy: "number" });
      expect(sandboxIds.has(r.target.id) && r.target.id === r.qboAccountId).toBe(false);
    }

    // A confirmation may only pick what the resolution offered, for the company resolved against.
    const wrong = await confirm({ realmId: PRODUCTION_REALM, choices: [{ ledgerAccountId: checking.ledgerAccountId, qboAccountId: checking.qboAccountId }] });
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).error.code).toBe("resolution_changed");
    expect((await confirm({ realmId: DEMO_REALMS.acme, choices: choicesOf(resolution) })).status).toBe(409);
    expect((await confirm({ realmId: PRODUCTION_REALM, choices: [] })).status).toBe(400);

    // Confirmed without the ambiguous one: still refused, by the count left.
    const auditFloor = (await db().select({ id: sql<number>`coalesce(max(${auditEvents.id}), 0)::int` }).from(auditEvents))[0]!.id;
    expect((await confirm({ realmId: PRODUCTION_REALM, choices: choicesOf(resolution) })).status).toBe(200);
    await expect(requestSync({ tenantId: acme, actorUserId: null })).rejects.toMatchObject({ userMessage: expect.stringContaining(`1 of ${DEMO_CHART.length} mapped accounts`) });

    // The accountant picks Checking for 1000: every mapping is confirmed, and the production sync runs.
    expect((await confirm({ realmId: PRODUCTION_REALM, choices: choicesOf(resolution, { "1000": checkingInProduction }) })).status).toBe(200);
    const confirmedSet = await readMappingSet(acme);
    expect(confirmedSet.find((r) => r.code === "1000")!.production).toMatchObject({ realmId: PRODUCTION_REALM, accountId: checkingInProduction, matchedBy: "name" });
    // The sandbox mapping is untouched: the sandbox still validates against its own ids.
    expect(confirmedSet.find((r) => r.code === "1000")!.qboAccountId).toBe(demo("1000").qbo.id);
    const audits = await db().select().from(auditEvents).where(and(gte(auditEvents.id, auditFloor + 1), eq(auditEvents.action, "mappings.production_confirmed")));
    expect(audits.map((a) => a.details)).toEqual([
      { confirmed: DEMO_CHART.length - 1, byNumber: DEMO_CHART.length - 1, byName: 0, chosenAmongSeveral: 0 },
      { confirmed: DEMO_CHART.length, byNumber: DEMO_CHART.length - 1, byName: 1, chosenAmongSeveral: 1 },
    ]);

    const run = await runSync((await requestSync({ tenantId: acme, actorUserId: null })).id);
    expect(run).toMatchObject({ status: "succeeded", environment: "production", realmId: PRODUCTION_REALM });
    expect((await validateAgainstLiveChart({ tenantId: acme, environment: "production", actorUserId: null })).passed).toBe(true);

    // The production month closes on the production accounts with the deliberate differences only.
    const created = await createReconciliation({ tenantId: acme, actorUserId: null });
    const read = await readReconciliation(acme, created.id);
    const differing = read!.lines.filter((l) => l.difference !== "0.00");
    expect(differing.map((l) => l.code).sort()).toEqual(DEMO_DIFFERENCES.acme.map((d) => d.code).sort());
    expect(read!.lines.find((l) => l.code === "1000")!.qboAccountId).toBe(checkingInProduction);
  });

  it("forgets a confirmation when the sandbox mapping changes, so production needs it resolved again", async () => {
    const resolution = await resolve();
    expect((await confirm({ realmId: PRODUCTION_REALM, choices: choicesOf(resolution) })).status).toBe(200);
    await expect(requestSync({ tenantId: acme, actorUserId: null })).resolves.toMatchObject({ environment: "production" });
    await db().delete(syncRuns).where(sql`true`);

    // 1010 moves to another sandbox account (and back): its production confirmation was about the first move's target, so it goes.
    const fuel = (await readMappingSet(acme)).find((r) => r.code === demo("1010").code)!;
    await saveMapping({ tenantId: acme, ledgerAccountId: fuel.ledgerAccountId, qboAccountId: demo("1020").qbo.id, allowShared: true, actorUserId: null });
    await saveMapping({ tenantId: acme, ledgerAccountId: fuel.ledgerAccountId, qboAccountId: demo("1010").qbo.id, actorUserId: null });
    const others = (await readMappingSet(acme)).filter((r) => r.ledgerAccountId !== fuel.ledgerAccountId);
    expect((await readMappingSet(acme)).find((r) => r.ledgerAccountId === fuel.ledgerAccountId)!.production).toBeNull();
    expect(others.every((r) => r.production?.realmId === PRODUCTION_REALM)).toBe(true);
    // Saving the same target again keeps it.
    const kept = others[0]!;
    await saveMapping({ tenantId: acme, ledgerAccountId: kept.ledgerAccountId, qboAccountId: kept.qboAccountId, actorUserId: null });
    expect((await readMappingSet(acme)).find((r) => r.ledgerAccountId === kept.ledgerAccountId)!.production).not.toBeNull();

    await validateAgainstLiveChart({ tenantId: acme, environment: "sandbox", actorUserId: null });
    await expect(requestSync({ tenantId: acme, actorUserId: null })).rejects.toMatchObject({ userMessage: expect.stringContaining(`1 of ${DEMO_CHART.length} mapped accounts`) });
  });
});
