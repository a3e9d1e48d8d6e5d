// The emulator's change data capture endpoint, exercised with raw HTTP like handlers.test.ts: the rules of
// intuit.md §6 ("CDC catch-up") and Intuit's change-data-capture page, without the client library in between.

import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { CDC_MAX_OBJECTS } from "./cdc";
import { intuitLocalTime } from "./intuit-time";
import { completeConsent } from "./node";
import { useIntuitMock } from "./vitest";

const intuit = useIntuitMock("http://intuit.test", { redirectUris: ["http://localhost:3000/callback"] });
const REDIRECT = "http://localhost:3000/callback";
const REALM = "9341452000000001";
const OTHER_REALM = "9341452000000002";
const DAY = 24 * 60 * 60 * 1000;

async function connect(realmId = REALM): Promise<string> {
  const params = new URLSearchParams({
    client_id: intuit.clientId,
    response_type: "code",
    scope: "com.intuit.quickbooks.accounting",
    redirect_uri: REDIRECT,
    state: "s",
  });
  const callback = await completeConsent(`${intuit.authorizeUrl}?${params}`, { realmId });
  const response = await fetch(intuit.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${intuit.clientId}:${intuit.clientSecret}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code: callback.searchParams.get("code") ?? "", redirect_uri: REDIRECT }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function cdc(token: string | null, query: Record<string, string>, options: { realmId?: string; accept?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const search = new URLSearchParams({ ...query, minorversion: "75" });
  return fetch(`${intuit.origin}/v3/company/${options.realmId ?? REALM}/cdc?${search}`, { headers });
}

const ago = (ms: number) => new Date(intuit.emulator.now().getTime() - ms);

type CdcBody = { CDCResponse: { QueryResponse: Record<string, unknown>[] }[]; time: string };

describe("GET /v3/company/:realmId/cdc", () => {
  it("reports each changed object once, in its latest state, grouped per entity in Intuit's shape", async () => {
    const token = await connect();
    const created = ago(50 * 60 * 1000);
    intuit.emulator.recordChange(REALM, { entity: "Customer", id: "58", operation: "Create", at: created });
    intuit.emulator.recordChange(REALM, { entity: "customer", id: "7", operation: "update", at: ago(40 * 60 * 1000) });
    intuit.emulator.recordChange(REALM, { entity: "Customer", id: "7", operation: "Update", at: ago(30 * 60 * 1000) });
    intuit.emulator.recordChange(REALM, { entity: "Invoice", id: "130", operation: "Delete", at: ago(20 * 60 * 1000) });
    // Not asked for, too old, or another company's: never reported.
    intuit.emulator.recordChange(REALM, { entity: "Vendor", id: "3", operation: "Update", at: ago(10 * 60 * 1000) });
    intuit.emulator.recordChange(REALM, { entity: "Customer", id: "1", operation: "Update", at: ago(3 * 60 * 60 * 1000) });
    intuit.emulator.recordChange(OTHER_REALM, { entity: "Customer", id: "99", operation: "Update", at: ago(60 * 1000) });

    const since = ago(60 * 60 * 1000).toISOString();
    const response = await cdc(token, { entities: "customer,Invoice", changedSince: since });
    expect(response.status).toBe(200);
    expect(response.headers.get("intuit_tid")).toMatch(/^1-/);
    const body = (await response.json()) as CdcBody;
    expect(body.time).toBeTruthy();
    expect(body.CDCResponse).toHaveLength(1);
    const [customers, invoices] = body.CDCResponse[0]!.QueryResponse;
    expect(customers).toEqual({
      Customer: [
        {
          DisplayName: "Customer 58",
          domain: "QBO",
          sparse: false,
          Id: "58",
          SyncToken: "0",
          MetaData: { CreateTime: intuitLocalTime(created.getTime()), LastUpdatedTime: intuitLocalTime(created.getTime()) },
        },
        expect.objectContaining({ Id: "7", SyncToken: "2", MetaData: expect.objectContaining({ CreateTime: "2024-03-04T09:15:27-08:00" }) }),
      ],
      startPosition: 1,
      maxResults: 2,
    });
    expect(invoices).toEqual({
      Invoice: [{ domain: "QBO", status: "Deleted", Id: "130", MetaData: { LastUpdatedTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-07:00$/) } }],
      startPosition: 1,
      maxResults: 1,
    });
    // Counted and logged like every API call, with the query string so tests can read changedSince.
    expect(intuit.emulator.calls.api).toBe(1);
    expect(intuit.emulator.apiRequests()).toEqual([
      expect.objectContaining({ path: `/v3/company/${REALM}/cdc`, minorVersion: "75", status: 200, query: { entities: "customer,Invoice", changedSince: since, minorversion: "75" } }),
    ]);
  });

  it("answers an empty QueryResponse when nothing changed, and accepts a bare date", async () => {
    const token = await connect();
    const today = new Date().toISOString().slice(0, 10);
    const body = (await (await cdc(token, { entities: "Customer", changedSince: today })).json()) as CdcBody;
    expect(body.CDCResponse).toEqual([{ QueryResponse: [{}] }]);
  });

  it("refuses changedSince older than 30 days with a ValidationFault, and accepts 30 days to the minute", async () => {
    const token = await connect();
    const tooOld = ago(30 * DAY + 60_000).toISOString();
    const refused = await cdc(token, { entities: "Customer", changedSince: tooOld });
    expect(refused.status).toBe(400);
    const fault = (await refused.json()) as { Fault: { type: string; Error: { Message: string; code: string }[] } };
    expect(fault.Fault.type).toBe("ValidationFault");
    expect(fault.Fault.Error[0]?.Message).toBe(`Operation cdc with changedSince date ${tooOld} which is older than fixed days is not supported.`);

    expect((await cdc(token, { entities: "Customer", changedSince: ago(30 * DAY - 60_000).toISOString() })).status).toBe(200);
  });

  it("refuses a missing or unknown entity list, an entity CDC does not support, and a bad date", async () => {
    const token = await connect();
    const since = ago(60_000).toISOString();
    const queries: Record<string, string>[] = [
      { changedSince: since },
      { entities: "Customer,Nonsense", changedSince: since },
      { entities: "TaxCode", changedSince: since },
      { entities: "Customer" },
      { entities: "Customer", changedSince: "yesterday" },
    ];
    for (const query of queries) {
      const response = await cdc(token, query);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ Fault: { type: "ValidationFault", Error: [{ code: "2010" }] } });
    }
  });

  it("authenticates like every API call: 401 without or with an expired token, 403 for another company", async () => {
    const token = await connect();
    const query = { entities: "Customer", changedSince: ago(60_000).toISOString() };
    expect((await cdc(null, query)).status).toBe(401);
    expect((await cdc(token, query, { realmId: OTHER_REALM })).status).toBe(403);
    intuit.emulator.advanceTime(3601);
    const expired = await cdc(token, { ...query, changedSince: ago(60_000).toISOString() });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ fault: { type: "AUTHENTICATION", error: [{ code: "3200" }] } });
  });

  it("takes injected API faults", async () => {
    const token = await connect();
    intuit.emulator.injectFault({ target: "api", status: 503 });
    expect((await cdc(token, { entities: "Customer", changedSince: ago(60_000).toISOString() })).status).toBe(503);
  });

  it("answers XML when the client does not ask for JSON", async () => {
    const token = await connect();
    intuit.emulator.recordChange(REALM, { entity: "Customer", id: "7", operation: "Update" });
    const response = await cdc(token, { entities: "Customer", changedSince: ago(60_000).toISOString() }, { accept: "*/*" });
    expect(response.headers.get("content-type")).toContain("xml");
    expect(await response.text()).toContain("<CDCResponse><QueryResponse><Customer>");
  });

  it("returns at most 1,000 objects across the requested entities, the oldest first", async () => {
    const token = await connect();
    const start = intuit.emulator.now().getTime() - 2 * 60 * 60 * 1000;
    for (let i = 0; i < 700; i++) intuit.emulator.recordChange(REALM, { entity: "Invoice", id: String(i), operation: "Update", at: start + i * 2_000 });
    for (let i = 0; i < 700; i++) intuit.emulator.recordChange(REALM, { entity: "Customer", id: String(i), operation: "Update", at: start + i * 2_000 + 1_000 });
    const body = (await (await cdc(token, { entities: "Customer,Invoice", changedSince: new Date(start).toISOString() })).json()) as CdcBody;
    const [customers, invoices] = body.CDCResponse[0]!.QueryResponse as [{ Customer: unknown[]; maxResults: number }, { Invoice: unknown[]; maxResults: number }];
    expect(customers.Customer.length + invoices.Invoice.length).toBe(CDC_MAX_OBJECTS);
    expect([customers.maxResults, invoices.maxResults]).toEqual([500, 500]);
  });
});

describe("the change log's control endpoints", () => {
  const post = (path: string, body: unknown) =>
    fetch(`${intuit.origin}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("POST /__emulator/changes records a change CDC then reports; a bad body is a 400", async () => {
    const at = ago(5 * 60 * 1000).toISOString();
    const response = await post("changes", { realmId: REALM, entity: "journalentry", id: "12", operation: "create", at });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true, change: { entity: "JournalEntry", id: "12", operation: "Create", at } });
    expect(intuit.emulator.changes(REALM)).toEqual([{ entity: "JournalEntry", id: "12", operation: "Create", at: Date.parse(at) }]);

    for (const bad of [
      { realmId: REALM, entity: "TaxCode", id: "1", operation: "Update" },
      { realmId: REALM, entity: "Customer", id: "1", operation: "Rename" },
      { realmId: REALM, entity: "Customer", operation: "Update" },
      { realmId: REALM, entity: "Customer", id: "1", operation: "Update", at: "last week" },
    ]) {
      expect((await post("changes", bad)).status).toBe(400);
    }
    expect(intuit.emulator.changes(REALM)).toHaveLength(1);
    expect((await post("reset", {})).status).toBe(200);
    expect(intuit.emulator.changes(REALM)).toEqual([]);
  });

  it("POST /__emulator/send-webhook records the change it announces, so CDC agrees with the webhook", async () => {
    let delivered = "";
    intuit.server.use(
      http.post("http://localhost:3000/api/quickbooks/webhooks", async ({ request }) => {
        delivered = await request.text();
        return HttpResponse.json({ received: 1, stored: 1 });
      }),
    );
    const response = await post("send-webhook", { targetUrl: "http://localhost:3000/api/quickbooks/webhooks", realmId: REALM, format: "legacy" });
    expect(response.status).toBe(200);
    const entity = (JSON.parse(delivered) as { eventNotifications: { dataChangeEvent: { entities: { name: string; id: string; operation: string; lastUpdated: string }[] } }[] })
      .eventNotifications[0]!.dataChangeEvent.entities[0]!;
    expect(intuit.emulator.changes(REALM)).toEqual([{ entity: entity.name, id: entity.id, operation: entity.operation, at: Date.parse(entity.lastUpdated) }]);
  });
});
