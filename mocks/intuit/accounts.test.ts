// The emulator's charts of accounts, over raw HTTP like handlers.test.ts: the query grammar a sync needs (WHERE,
// ORDERBY, STARTPOSITION, MAXRESULTS and its cap, COUNT), the active-only default, the 5,000-account company, and
// changes made "in QuickBooks" (in process and through POST /__emulator/accounts) as queries and CDC then report them.

import { describe, expect, it } from "vitest";
import { QBO_ACCOUNT_TYPE_CLASSIFICATION } from "@/lib/ledger/rules/account-types";
import { classificationOfAccountType } from "./accounts";
import { DEMO_CHART, DEMO_QBO_ONLY_ACCOUNTS, DEMO_REALMS } from "../../db/demo-chart";
import { intuitLocalTime } from "./intuit-time";
import { LARGE_COMPANY_ACCOUNT_COUNT, LARGE_COMPANY_REALM_ID, QUERYABLE_ENTITIES } from "./fixtures";
import { completeConsent } from "./node";
import { parseQuery } from "./query-parser";
import { useIntuitMock } from "./vitest";

const intuit = useIntuitMock("http://intuit.test", { redirectUris: ["http://localhost:3000/callback"] });
const REDIRECT = "http://localhost:3000/callback";
const ACME = DEMO_REALMS.acme;
const GLOBEX = DEMO_REALMS.globex;

interface AccountJson {
  Id: string;
  Name: string;
  FullyQualifiedName: string;
  Active: boolean;
  SubAccount: boolean;
  ParentRef?: { value: string };
  AccountType: string;
  AccountSubType: string;
  Classification: string;
  CurrentBalance: number;
  CurrentBalanceWithSubAccounts: number;
  SyncToken: string;
  MetaData: { CreateTime: string; LastUpdatedTime: string };
}
interface QueryJson {
  QueryResponse: { Account?: AccountJson[]; startPosition?: number; maxResults?: number; totalCount?: number };
  time: string;
}
type FaultJson = { Fault: { Error: { Message: string; Detail: string; code: string }[]; type: string } };

async function connect(realmId: string): Promise<string> {
  const params = new URLSearchParams({ client_id: intuit.clientId, response_type: "code", scope: "com.intuit.quickbooks.accounting", redirect_uri: REDIRECT, state: "s" });
  const callback = await completeConsent(`${intuit.authorizeUrl}?${params}`, { realmId });
  const response = await fetch(intuit.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${intuit.clientId}:${intuit.clientSecret}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code: callback.searchParams.get("code") ?? "", redirect_uri: REDIRECT }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function queryRaw(token: string, realmId: string, text: string): Promise<Response> {
  return fetch(`${intuit.origin}/v3/company/${realmId}/query?query=${encodeURIComponent(text)}&minorversion=75`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
}

async function query(token: string, realmId: string, text: string): Promise<QueryJson> {
  const response = await queryRaw(token, realmId, text);
  expect(response.status, text).toBe(200);
  return (await response.json()) as QueryJson;
}

const ids = (body: QueryJson) => (body.QueryResponse.Account ?? []).map((a) => a.Id);

function control(path: string, body: unknown): Promise<Response> {
  return fetch(`${intuit.origin}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("the demo companies' charts", () => {
  it("serve the demo chart with each realm's balances, in Intuit's Account shape", async () => {
    const token = await connect(ACME);
    const body = await query(token, ACME, "select * from Account where Id = '84'");
    expect(body.QueryResponse.Account).toEqual([
      {
        Name: "Accounts Receivable (A/R)",
        SubAccount: false,
        FullyQualifiedName: "Accounts Receivable (A/R)",
        Active: true,
        Classification: "Asset",
        AccountType: "Accounts Receivable",
        AccountSubType: "AccountsReceivable",
        // The chart's account number (AWRA's code), the same in the sandbox and the production company.
        AcctNum: "1100",
        CurrentBalance: 64318.45,
        CurrentBalanceWithSubAccounts: 64318.45,
        CurrencyRef: { value: "USD", name: "United States Dollar" },
        domain: "QBO",
        sparse: false,
        Id: "84",
        SyncToken: "0",
        MetaData: { CreateTime: "2024-03-04T09:15:27-08:00", LastUpdatedTime: "2025-09-30T14:02:11-07:00" },
      },
    ]);
    expect(body.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 1 });

    const globexToken = await connect(GLOBEX);
    const globex = await query(globexToken, GLOBEX, "select * from Account where Id = '84'");
    expect(globex.QueryResponse.Account?.[0]?.CurrentBalance).toBe(142770.8);
  });

  it("returns only active accounts by default, and both with Active in (true,false)", async () => {
    const token = await connect(ACME);
    const total = DEMO_CHART.length + DEMO_QBO_ONLY_ACCOUNTS.length;
    const active = await query(token, ACME, "select * from Account maxresults 1000");
    expect(active.QueryResponse.Account).toHaveLength(total - 1);
    expect(ids(active)).not.toContain("90");

    const all = await query(token, ACME, "select * from Account where Active in (true,false) maxresults 1000");
    expect(all.QueryResponse.Account).toHaveLength(total);
    const inactive = all.QueryResponse.Account!.find((a) => a.Id === "90")!;
    // QuickBooks shows an inactive account as deleted.
    expect(inactive).toMatchObject({ Active: false, Name: "Old Petty Cash (deleted)" });

    expect(ids(await query(token, ACME, "select * from Account where Active = false"))).toEqual(["90"]);
    expect((await query(token, ACME, "select count(*) from Account")).QueryResponse).toEqual({ totalCount: total - 1 });
    expect((await query(token, ACME, "SELECT COUNT(*) FROM Account WHERE Active IN (true, false)")).QueryResponse).toEqual({ totalCount: total });
  });

  it("filters by Id list, name, type and time, and sorts with ORDERBY", async () => {
    const token = await connect(ACME);
    expect(ids(await query(token, ACME, "select * from Account where Id in ('84', '35', '404') orderby Id"))).toEqual(["35", "84"]);
    expect(ids(await query(token, ACME, "select * from Account where Id in ('84','35') order by Id desc"))).toEqual(["84", "35"]);
    expect(ids(await query(token, ACME, "select * from Account where Name = 'accounts payable (a/p)'"))).toEqual(["33"]);
    expect(ids(await query(token, ACME, "select * from Account where Name like 'Accumulated Depreciation%' orderby Id"))).toEqual(["39", "42"]);
    expect(ids(await query(token, ACME, "select * from Account where AccountType = 'Bank' and Active in (true,false) orderby Id"))).toEqual(["35", "36", "37", "90"]);
    const sorted = ids(await query(token, ACME, "select * from Account orderby Id maxresults 1000"));
    expect(sorted).toEqual([...sorted].sort((a, b) => Number(a) - Number(b)));
    // The fixtures were last updated in September 2025.
    expect((await query(token, ACME, "select * from Account where MetaData.LastUpdatedTime >= '2026-01-01T00:00:00Z'")).QueryResponse).toEqual({});
    expect((await query(token, ACME, "select count(*) from Account where MetaData.LastUpdatedTime >= '2025-09-30'")).QueryResponse.totalCount).toBe(64);
  });

  it("selects the listed fields only, as a sparse object", async () => {
    const token = await connect(ACME);
    const body = await query(token, ACME, "select Id, Name from Account where Id = '35'");
    expect(body.QueryResponse.Account).toEqual([{ Id: "35", Name: "Checking", domain: "QBO", sparse: true, SyncToken: "0" }]);
  });

  it("answers Intuit's faults for a query it cannot parse or a property it cannot filter on", async () => {
    const token = await connect(ACME);
    for (const bad of ["select * from Account where Name = 'x' or Id = '1'", "select * from Account where Active", "select * from Account maxresults ten", "delete from Account"]) {
      const response = await queryRaw(token, ACME, bad);
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as FaultJson).Fault.Error[0]).toMatchObject({ Message: "Error parsing query", code: "4000" });
    }
    const response = await queryRaw(token, ACME, "select * from Account where Colour = 'blue'");
    expect(response.status).toBe(400);
    expect(((await response.json()) as FaultJson).Fault).toMatchObject({ type: "ValidationFault", Error: [{ Message: "Invalid query", Detail: "QueryValidationError: property 'Colour' is not queryable", code: "4001" }] });
  });
});

describe("the large sandbox company", () => {
  it("has 5,000 accounts, pages through them 1,000 at most at a time, and counts them", async () => {
    const token = await connect(LARGE_COMPANY_REALM_ID);
    const count = await query(token, LARGE_COMPANY_REALM_ID, "select count(*) from Account where Active in (true,false)");
    expect(count.QueryResponse.totalCount).toBe(LARGE_COMPANY_ACCOUNT_COUNT);
    expect((await query(token, LARGE_COMPANY_REALM_ID, "select count(*) from Account")).QueryResponse.totalCount).toBe(4900);

    // MAXRESULTS beyond Intuit's 1,000 is capped, not refused.
    const capped = await query(token, LARGE_COMPANY_REALM_ID, "select * from Account where Active in (true,false) orderby Id startposition 1 maxresults 5000");
    expect(capped.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 1000 });
    expect(capped.QueryResponse.Account).toHaveLength(1000);

    const seen: string[] = [];
    for (let start = 1; ; start += 1000) {
      const page = await query(token, LARGE_COMPANY_REALM_ID, `select * from Account where Active in (true,false) orderby Id startposition ${start} maxresults 1000`);
      if (!page.QueryResponse.Account) {
        expect(page.QueryResponse).toEqual({});
        break;
      }
      expect(page.QueryResponse.startPosition).toBe(start);
      seen.push(...ids(page));
    }
    expect(seen).toHaveLength(LARGE_COMPANY_ACCOUNT_COUNT);
    expect(new Set(seen).size).toBe(LARGE_COMPANY_ACCOUNT_COUNT);
    expect(seen.slice(0, 3)).toEqual(["1", "2", "3"]);
    expect(seen.at(-1)).toBe("5000");
  });

  it("is generated the same every time, with sub-accounts and their totals", async () => {
    const token = await connect(LARGE_COMPANY_REALM_ID);
    const block = await query(token, LARGE_COMPANY_REALM_ID, "select * from Account where Id in ('21', '22', '23', '50') and Active in (true,false) orderby Id");
    const [parent, child1, child2, inactive] = block.QueryResponse.Account!;
    expect(parent).toMatchObject({ Name: "Service Truck 0021", AccountType: "Fixed Asset", SubAccount: false });
    expect(child1).toMatchObject({ Name: "Service Truck 0022", FullyQualifiedName: "Service Truck 0021:Service Truck 0022", SubAccount: true, ParentRef: { value: "21" } });
    expect(child2!.FullyQualifiedName).toBe("Service Truck 0021:Service Truck 0023");
    expect(Math.round(parent!.CurrentBalanceWithSubAccounts * 100)).toBe(Math.round((parent!.CurrentBalance + child1!.CurrentBalance + child2!.CurrentBalance) * 100));
    expect(inactive).toMatchObject({ Active: false, CurrentBalance: 0 });

    // Updated 90 minutes apart through 2025: a time filter selects the tail.
    const since = intuitLocalTime(Date.parse("2025-01-01T08:00:00Z") + 4990 * 90 * 60 * 1000);
    const tail = await query(token, LARGE_COMPANY_REALM_ID, `select * from Account where MetaData.LastUpdatedTime >= '${since}' and Active in (true,false) orderby Id`);
    expect(ids(tail)).toEqual(["4990", "4991", "4992", "4993", "4994", "4995", "4996", "4997", "4998", "4999", "5000"]);

    const chart = intuit.emulator.accounts(LARGE_COMPANY_REALM_ID);
    intuit.emulator.reset();
    expect(intuit.emulator.accounts(LARGE_COMPANY_REALM_ID)).toEqual(chart);
  });
});

describe("changing accounts as a QuickBooks user would", () => {
  it("updates balance, name and active in process: new SyncToken and LastUpdatedTime, reported by queries and CDC", async () => {
    const token = await connect(ACME);
    const before = intuit.emulator.now();
    intuit.emulator.advanceTime(60);
    const changed = intuit.emulator.updateAccount(ACME, "35", { balance: "50710.37" });
    expect(changed).toMatchObject({ id: "35", balanceCents: 5_071_037, syncToken: 1 });
    intuit.emulator.updateAccount(ACME, "36", { active: false });

    const [checking] = (await query(token, ACME, "select * from Account where Id = '35'")).QueryResponse.Account!;
    // Stamped with the emulator's clock at the update (compared as a range: reading the clock again can cross a second).
    const updatedAt = Date.parse(changed.lastUpdatedTime);
    expect(updatedAt).toBeGreaterThanOrEqual(Math.floor((before.getTime() + 60_000) / 1000) * 1000);
    expect(updatedAt).toBeLessThanOrEqual(intuit.emulator.now().getTime());
    expect(checking).toMatchObject({ CurrentBalance: 50710.37, SyncToken: "1", MetaData: { LastUpdatedTime: changed.lastUpdatedTime } });
    // Savings is now inactive: out of the default query, in the full one, as "(deleted)".
    expect(ids(await query(token, ACME, "select * from Account where Id in ('35','36')"))).toEqual(["35"]);
    const changedSince = await query(token, ACME, `select * from Account where MetaData.LastUpdatedTime >= '${before.toISOString()}' and Active in (true,false) orderby Id`);
    expect(changedSince.QueryResponse.Account!.map((a) => [a.Id, a.Name, a.Active])).toEqual([
      ["35", "Checking", true],
      ["36", "Savings (deleted)", false],
    ]);

    const cdc = await fetch(`${intuit.origin}/v3/company/${ACME}/cdc?entities=Account&changedSince=${encodeURIComponent(before.toISOString())}&minorversion=75`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    expect(cdc.status).toBe(200);
    const body = (await cdc.json()) as { CDCResponse: { QueryResponse: { Account: AccountJson[] }[] }[] };
    const reported = body.CDCResponse[0]!.QueryResponse[0]!.Account;
    // The full objects, exactly as a query returns them now.
    expect(reported).toEqual([
      (await query(token, ACME, "select * from Account where Id = '35'")).QueryResponse.Account![0],
      (await query(token, ACME, "select * from Account where Id = '36' and Active = false")).QueryResponse.Account![0],
    ]);
    // The balance was set by an adjusting journal entry (the company's third: after the fixtures' two), reported as
    // a JournalEntry of its own; the account edits as Account updates.
    expect(intuit.emulator.changes(ACME).map((c) => [c.entity, c.id, c.operation])).toEqual([
      ["JournalEntry", "3", "Create"],
      ["Account", "35", "Update"],
      ["Account", "36", "Update"],
    ]);
    // Another company's chart is untouched.
    expect(intuit.emulator.account(GLOBEX, "35")).toMatchObject({ CurrentBalance: 126904.12, SyncToken: "0" });
  });

  it("changes and creates accounts through the control endpoints, and refuses bad changes", async () => {
    const token = await connect(ACME);
    const renamed = await control("accounts", { realmId: ACME, id: "84", name: "Trade Debtors", balance: 70000 });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { account: AccountJson }).account).toMatchObject({ Id: "84", Name: "Trade Debtors", CurrentBalance: 70000, SyncToken: "1" });
    expect((await control("accounts", { realmId: ACME, id: "84", active: false })).status).toBe(200);
    expect(intuit.emulator.account(ACME, "84")).toMatchObject({ Name: "Trade Debtors (deleted)", SyncToken: "2" });

    const created = await control("accounts/create", { realmId: ACME, name: "Drone Survey Equipment", accountType: "Fixed Asset", accountSubType: "MachineryAndEquipment", balance: "18250.00" });
    expect(created.status).toBe(201);
    const account = ((await created.json()) as { account: AccountJson }).account;
    expect(account).toMatchObject({ Id: "91", Name: "Drone Survey Equipment", Classification: "Asset", CurrentBalance: 18250, SyncToken: "0", Active: true });
    expect(ids(await query(token, ACME, "select * from Account where Id = '91'"))).toEqual(["91"]);
    expect(intuit.emulator.changes(ACME).at(-1)).toMatchObject({ entity: "Account", id: "91", operation: "Create" });

    const sub = await control("accounts/create", { realmId: ACME, name: "Batteries", accountType: "Fixed Asset", parentId: "91", balance: 1200 });
    expect(((await sub.json()) as { account: AccountJson }).account).toMatchObject({ Id: "92", FullyQualifiedName: "Drone Survey Equipment:Batteries", SubAccount: true });
    expect(intuit.emulator.account(ACME, "91")).toMatchObject({ CurrentBalanceWithSubAccounts: 19450 });

    expect((await control("accounts", { realmId: ACME, id: "4040", balance: 1 })).status).toBe(404);
    for (const bad of [
      { realmId: ACME, id: "35", balance: "12.345" },
      { realmId: ACME, id: "35", name: "Savings" },
      { realmId: ACME, id: "35", colour: "blue" },
      { realmId: ACME, name: "Checking", accountType: "Bank" },
    ]) {
      const response = await control("name" in bad && !("id" in bad) ? "accounts/create" : "accounts", bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await control("accounts/create", { realmId: ACME, name: "Widgets", accountType: "Widgets" })).status).toBe(400);
    const listed = (await (await fetch(`${intuit.origin}/__emulator/accounts?realmId=${ACME}`)).json()) as { accounts: AccountJson[] };
    expect(listed.accounts).toHaveLength(DEMO_CHART.length + DEMO_QBO_ONLY_ACCOUNTS.length + 2);
  });

  it("restores the fixtures on reset", async () => {
    intuit.emulator.updateAccount(ACME, "35", { balance: 1, name: "Renamed" });
    intuit.emulator.addAccount(ACME, { name: "Extra", accountType: "Bank" });
    expect((await control("reset", {})).status).toBe(200);
    expect(intuit.emulator.account(ACME, "35")).toMatchObject({ Name: "Checking", CurrentBalance: 48210.37, SyncToken: "0" });
    expect(intuit.emulator.accounts(ACME)).toHaveLength(DEMO_CHART.length + DEMO_QBO_ONLY_ACCOUNTS.length);
    expect(intuit.emulator.changes(ACME)).toEqual([]);
  });
});

describe("parseQuery", () => {
  it("reads the clauses a sync sends, in any case, with escaped quotes", () => {
    expect(parseQuery("SELECT * FROM account WHERE Name = 'Owner\\'s Equity' AND Active IN (true, false) ORDERBY Id DESC STARTPOSITION 11 MAXRESULTS 10", QUERYABLE_ENTITIES)).toEqual({
      entity: "Account",
      count: false,
      fields: null,
      where: [
        { field: "Name", operator: "=", values: ["Owner's Equity"] },
        { field: "Active", operator: "in", values: [true, false] },
      ],
      orderBy: [{ field: "Id", descending: true }],
      startPosition: 11,
      maxResults: 10,
    });
    expect(parseQuery("select * from Account maxresults 5 startposition 2", QUERYABLE_ENTITIES)).toMatchObject({ startPosition: 2, maxResults: 5 });
    expect(parseQuery("select * from Account startposition 0", QUERYABLE_ENTITIES)).toMatchObject({ kind: "validation" });
    expect(parseQuery("select * from Nonsense", QUERYABLE_ENTITIES)).toMatchObject({ kind: "parse" });
  });
});

describe("the emulator's AccountType table", () => {
  it("agrees with the app's copy of Intuit's table, type by type", () => {
    for (const [accountType, classification] of Object.entries(QBO_ACCOUNT_TYPE_CLASSIFICATION)) expect(classificationOfAccountType(accountType), accountType).toBe(classification);
  });
});
