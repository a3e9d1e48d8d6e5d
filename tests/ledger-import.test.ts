// AWRA's side of the ledger: the demo seed, loading a chart by CSV or JSON (all or nothing, every problem with its
// line, upsert by code, audited), and GET/POST /api/quickbooks/ledger with a session and with API keys.
import { and, asc, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/quickbooks/ledger/route";
import { db } from "@/db";
import { DEMO_CHART, DEMO_DIFFERENCES } from "@/db/demo-chart";
import { auditEvents, ledgerAccounts, tenants } from "@/db/schema";
import { monthEndOf, seedDemoData } from "@/db/seed";
import { hashPassword } from "@/lib/auth/password";
import { importLedger } from "@/lib/ledger/import-ledger";
import { LEDGER_IMPORT_MAX_ROWS } from "@/lib/ledger/rules/parse-ledger";
import { issueApiKey } from "./api-key-helper";
import { TEST_PASSWORD, useTestDatabase } from "./database";
import { consoleHeaders, sessionCookie, tenantId } from "./session";

useTestDatabase();

const APP = "http://localhost:3000";
const HEADER = "code,name,type,balance,as_of";

function post(body: string, init: { contentType?: string; cookie?: string; key?: string } = {}): Request {
  const headers = new Headers({ accept: "application/json", "content-type": init.contentType ?? "text/csv" });
  if (init.cookie) for (const [name, value] of Object.entries(consoleHeaders(init.cookie))) headers.set(name, value);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  return new Request(new URL("/api/quickbooks/ledger", APP), { method: "POST", headers, body });
}

function get(init: { cookie?: string; key?: string }): Request {
  const headers = new Headers({ accept: "application/json" });
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  return new Request(new URL("/api/quickbooks/ledger", APP), { headers });
}

async function newTenant(slug: string): Promise<string> {
  const [tenant] = await db().insert(tenants).values({ slug, name: slug }).returning();
  return tenant!.id;
}

const ledgerOf = (tenant: string) => db().select().from(ledgerAccounts).where(eq(ledgerAccounts.tenantId, tenant)).orderBy(asc(ledgerAccounts.code));

describe("the demo seed", () => {
  it("loads the demo chart for Acme (with its three differences) and Globex, as of the seed month's last day, and is idempotent", async () => {
    const acme = await ledgerOf(await tenantId("acme"));
    expect(acme).toHaveLength(DEMO_CHART.length);
    expect(acme.every((row) => row.source === "seed" && row.asOf === monthEndOf(new Date()))).toBe(true);
    const differing = acme.filter((row) => row.balance !== DEMO_CHART.find((a) => a.code === row.code)!.qbo.balances.acme);
    expect(differing.map((row) => [row.code, row.balance])).toEqual(DEMO_DIFFERENCES.acme.map((d) => [d.code, d.awraBalance]));
    expect(acme.find((row) => row.code === "1100")).toMatchObject({ name: "Trade Debtors", type: "asset", balance: "64318.45" });

    const globexTenant = await tenantId("globex");
    const globex = await ledgerOf(globexTenant);
    expect(globex.map((row) => [row.code, row.balance])).toEqual(DEMO_CHART.map((a) => [a.code, a.qbo.balances.globex]));

    // Seeding again leaves what is there, including a balance changed since.
    await db().update(ledgerAccounts).set({ balance: "1.00" }).where(and(eq(ledgerAccounts.tenantId, globexTenant), eq(ledgerAccounts.code, "1000")));
    await seedDemoData(db(), { password: TEST_PASSWORD, hashPassword });
    const again = await ledgerOf(globexTenant);
    expect(again).toHaveLength(DEMO_CHART.length);
    expect(again.find((row) => row.code === "1000")!.balance).toBe("1.00");
  });
});

describe("importLedger", () => {
  it("stores nothing when any row is wrong, and records the refused attempt", async () => {
    const tenant = await newTenant("ledger-all-or-nothing");
    const csv = [HEADER, "1000,Checking,asset,1,2026-11-30", "1010,Savings,asset,abc,2026-11-30"].join("\n");
    const error = await importLedger({ tenantId: tenant, actorUserId: null, actorApiKeyId: null, input: { format: "csv", text: csv } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid_ledger", status: 400, details: [{ line: 3, field: "balance" }] });
    expect(await ledgerOf(tenant)).toEqual([]);
    const [audit] = await db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenant));
    expect(audit).toMatchObject({ action: "ledger.imported", outcome: "failure", details: { source: "csv", errors: 1 } });
  });

  it("upserts by code in one go: new codes are added, known ones updated, others left alone; audited", async () => {
    const tenant = await newTenant("ledger-upsert");
    const first = [HEADER, "1000,Checking,asset,100.00,2026-10-31", "2000,Trade Creditors,liability,50.00,2026-10-31", "4000,Sales,income,10,2026-10-31"].join("\n");
    expect(await importLedger({ tenantId: tenant, actorUserId: null, actorApiKeyId: null, input: { format: "csv", text: first } })).toEqual({ rows: 3, created: 3, updated: 0, source: "csv" });
    const before = await ledgerOf(tenant);

    const second = [
      { code: "1000", name: "Operating Account", type: "asset", balance: "120.25", as_of: "2026-11-30" },
      { code: "1010", name: "Savings", type: "asset", balance: 5, as_of: "2026-11-30" },
    ];
    expect(await importLedger({ tenantId: tenant, actorUserId: null, actorApiKeyId: null, input: { format: "api", json: second } })).toEqual({ rows: 2, created: 1, updated: 1, source: "api" });
    const after = await ledgerOf(tenant);
    expect(after.map((row) => [row.code, row.name, row.balance, row.asOf, row.source])).toEqual([
      ["1000", "Operating Account", "120.25", "2026-11-30", "api"],
      ["1010", "Savings", "5.00", "2026-11-30", "api"],
      ["2000", "Trade Creditors", "50.00", "2026-10-31", "csv"],
      ["4000", "Sales", "10.00", "2026-10-31", "csv"],
    ]);
    // An update keeps the account's id: mappings point at it.
    expect(after[0]!.id).toBe(before[0]!.id);

    const audits = await db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenant)).orderBy(asc(auditEvents.id));
    expect(audits.map((a) => [a.action, a.outcome, a.details])).toEqual([
      ["ledger.imported", "success", { rows: 3, created: 3, updated: 0, source: "csv" }],
      ["ledger.imported", "success", { rows: 2, created: 1, updated: 1, source: "api" }],
    ]);
  });

  it("loads 10,000 rows", async () => {
    const tenant = await newTenant("ledger-big");
    const csv = [HEADER, ...Array.from({ length: LEDGER_IMPORT_MAX_ROWS }, (_, i) => `A${i},"Account ${i}",expense,${i}.${i % 100},2026-11-30`)].join("\n");
    expect(await importLedger({ tenantId: tenant, actorUserId: null, actorApiKeyId: null, input: { format: "csv", text: csv } })).toMatchObject({ rows: 10_000, created: 10_000 });
    expect(await ledgerOf(tenant)).toHaveLength(10_000);
  });
});

describe("GET and POST /api/quickbooks/ledger", () => {
  it("should be protected: no session is 401, an auditor may read but not load", async () => {
    expect((await GET(get({}))).status).toBe(401);
    const auditor = await sessionCookie("auditor@acme.test");
    expect((await GET(get({ cookie: auditor }))).status).toBe(200);
    expect((await POST(post(`${HEADER}\n1000,Checking,asset,1,2026-11-30`, { cookie: auditor }))).status).toBe(403);
  });

  it("lists the tenant's accounts for a session, by code", async () => {
    const response = await GET(get({ cookie: await sessionCookie("accountant@globex.test") }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { accounts: { code: string; name: string; balance: string; as_of: string; source: string }[] };
    expect(body.accounts).toHaveLength(DEMO_CHART.length);
    expect(body.accounts[0]).toMatchObject({ code: "1000", name: "Checking", type: "asset", source: "seed" });
  });

  it("loads a CSV for an accountant, and answers 400 with every problem for a bad one", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const ok = await POST(post(`\uFEFF${HEADER}\r\n1000,"Checking",asset,50800.00,2026-11-30\r\n9000,"Suspense, clearing",asset,0,2026-11-30\r\n`, { cookie }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ imported: { rows: 2, created: 1, updated: 1, source: "csv" } });
    const acme = await ledgerOf(await tenantId("acme"));
    expect(acme.find((row) => row.code === "9000")).toMatchObject({ name: "Suspense, clearing", balance: "0.00", source: "csv" });
    const [audit] = await db().select().from(auditEvents).where(and(eq(auditEvents.tenantId, await tenantId("acme")), eq(auditEvents.action, "ledger.imported"))).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit!.actorUserId).not.toBeNull();

    const bad = await POST(post(`${HEADER}\n1000,Checking,asset,1,2026-11-30\n1010,,nope,1,2026-11-30\n`, { cookie }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: {
        code: "invalid_ledger",
        message: "The ledger has 2 problems; nothing was loaded. Correct them and load the whole file again.",
        details: [
          { line: 3, field: "name", message: "name is required" },
          { line: 3, field: "type", message: "type must be one of asset, liability, equity, income, expense" },
        ],
      },
    });
    expect((await ledgerOf(await tenantId("acme"))).find((row) => row.code === "1000")!.balance).toBe("50800.00");
  });

  it("refuses other media types, malformed JSON, and bodies over 2 MB", async () => {
    const cookie = await sessionCookie("admin@acme.test", "acme");
    expect((await POST(post("code,name", { cookie, contentType: "text/plain" }))).status).toBe(415);
    const malformed = await POST(post("[{", { cookie, contentType: "application/json" }));
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    const huge = `${HEADER}\n${"1000,Checking,asset,1,2026-11-30\n".repeat(70_000)}`;
    expect((await POST(post(huge, { cookie }))).status).toBe(413);
  });

  it("serves API keys by scope: ledger:write loads JSON for the key's tenant only, ledger:read lists", async () => {
    const writer = await issueApiKey(["ledger:write"], { tenant: "globex", name: "AWRA ledger push" });
    const reader = await issueApiKey(["ledger:read"], { tenant: "globex", name: "AWRA ledger read" });
    const accounts = [{ code: "1000", name: "Checking", type: "asset", balance: "127000.00", as_of: "2026-11-30" }];
    const loaded = await POST(post(JSON.stringify(accounts), { key: writer.key, contentType: "application/json; charset=utf-8" }));
    expect(loaded.status).toBe(200);
    expect(await loaded.json()).toEqual({ imported: { rows: 1, created: 0, updated: 1, source: "api" } });
    const globex = await tenantId("globex");
    const [audit] = await db().select().from(auditEvents).where(and(eq(auditEvents.tenantId, globex), eq(auditEvents.action, "ledger.imported"))).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ actorUserId: null, actorApiKeyId: writer.id, outcome: "success" });

    const listed = (await (await GET(get({ key: reader.key }))).json()) as { accounts: { code: string; balance: string; source: string }[] };
    expect(listed.accounts.find((a) => a.code === "1000")).toMatchObject({ balance: "127000.00", source: "api" });
    // Acme's ledger is untouched by Globex's key.
    expect((await ledgerOf(await tenantId("acme"))).find((row) => row.code === "1000")!.balance).not.toBe("127000.00");

    expect((await GET(get({ key: writer.key }))).status).toBe(403);
    expect((await POST(post(JSON.stringify(accounts), { key: reader.key, contentType: "application/json" }))).status).toBe(403);
  });
});
