import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { CDC_LOOKBACK_MS, CDC_MAX_OBJECTS, formatChangedSince, getChangeDataCapture } from "@/lib/intuit/change-data-capture";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { IntuitApiError } from "@/lib/intuit/faults";
import { connectedCallInput } from "@/tests/intuit/connect-through-emulator";
import { rejectionOf } from "@/tests/rejection";

const intuit = useIntuitMock();
afterEach(() => clearDiscoveryCache());

const CDC_URL = `${intuit.origin}/v3/company/:realmId/cdc`;
const MINUTE = 60_000;

const apiFailure = (promise: Promise<unknown>) => rejectionOf(promise, IntuitApiError);
const connected = () => connectedCallInput(intuit);
const ago = (ms: number) => new Date(intuit.emulator.now().getTime() - ms);

describe("getChangeDataCapture", () => {
  it("reads creations, updates and deletions, lower-cases entities like webhooks, and sends what Intuit expects", async () => {
    const input = await connected();
    const created = ago(50 * MINUTE);
    const updated = ago(40 * MINUTE);
    const deleted = ago(30 * MINUTE);
    intuit.emulator.recordChange(input.realmId, { entity: "Customer", id: "58", operation: "Create", at: created });
    intuit.emulator.recordChange(input.realmId, { entity: "Customer", id: "7", operation: "Update", at: updated });
    intuit.emulator.recordChange(input.realmId, { entity: "BillPayment", id: "130", operation: "Delete", at: deleted });
    const changedSince = new Date(ago(60 * MINUTE).getTime() - 123);

    const result = await getChangeDataCapture({ ...input, entities: ["Customer", "BillPayment"], changedSince });

    // Intuit's times are whole seconds.
    const second = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);
    expect(result.changes).toEqual([
      { entity: "customer", entityId: "58", operation: "create", lastUpdated: second(created) },
      { entity: "customer", entityId: "7", operation: "update", lastUpdated: second(updated) },
      { entity: "billpayment", entityId: "130", operation: "delete", lastUpdated: second(deleted) },
    ]);
    expect(result.capped).toBe(false);
    expect(result.intuitTid).toMatch(/^1-/);
    expect(intuit.emulator.apiRequests()).toEqual([
      expect.objectContaining({
        path: `/v3/company/${input.realmId}/cdc`,
        accept: "application/json",
        query: { entities: "Customer,BillPayment", changedSince: formatChangedSince(changedSince), minorversion: "75" },
      }),
    ]);
    expect(formatChangedSince(new Date("2026-03-04T05:06:07.890Z"))).toBe("2026-03-04T05:06:07Z");
  });

  it("returns no changes for Intuit's empty answer", async () => {
    const input = await connected();
    const result = await getChangeDataCapture({ ...input, entities: ["Invoice"], changedSince: ago(MINUTE) });
    expect(result).toMatchObject({ changes: [], capped: false });
  });

  it("reads Intuit's documented example, with its zone offsets", async () => {
    const input = await connected();
    intuit.server.use(
      http.get(CDC_URL, () =>
        HttpResponse.json({
          CDCResponse: [
            {
              QueryResponse: [
                {
                  Estimate: [
                    { Id: "34", SyncToken: "1", MetaData: { CreateTime: "2015-12-20T08:00:00-08:00", LastUpdatedTime: "2015-12-23T09:30:00-08:00" } },
                    { domain: "QBO", status: "Deleted", Id: "979", MetaData: { LastUpdatedTime: "2015-12-23T12:55:50-08:00" } },
                  ],
                  startPosition: 1,
                  maxResults: 2,
                  totalCount: 5,
                },
              ],
            },
          ],
          time: "2015-12-23T10:00:01-07:00",
        }),
      ),
    );
    const result = await getChangeDataCapture({ ...input, entities: ["Estimate"], changedSince: ago(MINUTE) });
    expect(result.changes).toEqual([
      { entity: "estimate", entityId: "34", operation: "update", lastUpdated: new Date("2015-12-23T17:30:00Z") },
      { entity: "estimate", entityId: "979", operation: "delete", lastUpdated: new Date("2015-12-23T20:55:50Z") },
    ]);
  });

  it("says when the answer reached Intuit's 1,000-object cap", async () => {
    const input = await connected();
    const start = ago(2 * 60 * MINUTE).getTime();
    for (let i = 0; i < CDC_MAX_OBJECTS + 5; i++) {
      intuit.emulator.recordChange(input.realmId, { entity: "Invoice", id: String(i), operation: "Update", at: start + i * 1000 });
    }
    const result = await getChangeDataCapture({ ...input, entities: ["Invoice"], changedSince: new Date(start) });
    expect(result.changes).toHaveLength(CDC_MAX_OBJECTS);
    expect(result.capped).toBe(true);
  });

  it("throws validation for a changedSince older than Intuit's 30 days", async () => {
    const input = await connected();
    const error = await apiFailure(getChangeDataCapture({ ...input, entities: ["Customer"], changedSince: ago(CDC_LOOKBACK_MS + 60 * MINUTE) }));
    expect(error).toMatchObject({ kind: "validation", status: 400, code: "2010", faultType: "ValidationFault", retryable: false });
    expect(error.message).toMatch(/^Operation cdc with changedSince date .* which is older than fixed days is not supported\.$/);
    expect(error.intuitTid).toBeTruthy();
  });

  it("throws authentication for an expired token and server for an outage", async () => {
    const input = await connected();
    intuit.emulator.injectFault({ target: "api", status: 503 });
    expect(await apiFailure(getChangeDataCapture({ ...input, entities: ["Customer"], changedSince: ago(MINUTE) }))).toMatchObject({ kind: "server", retryable: true });
    intuit.emulator.advanceTime(3601);
    expect(await apiFailure(getChangeDataCapture({ ...input, entities: ["Customer"], changedSince: ago(MINUTE) }))).toMatchObject({ kind: "authentication", status: 401 });
  });

  it("throws unexpected for objects without MetaData or a single object where a list belongs, never dropping them", async () => {
    const input = await connected();
    for (const Customer of [[{ Id: "1" }], { Id: "1", MetaData: { LastUpdatedTime: "2026-01-01T00:00:00Z" } }, [{ Id: "1", MetaData: { LastUpdatedTime: "soon" } }]]) {
      intuit.server.use(http.get(CDC_URL, () => HttpResponse.json({ CDCResponse: [{ QueryResponse: [{ Customer }] }] })));
      expect(await apiFailure(getChangeDataCapture({ ...input, entities: ["Customer"], changedSince: ago(MINUTE) }))).toMatchObject({ kind: "unexpected", status: 200 });
    }
  });

  it("refuses an empty entity list without calling Intuit", async () => {
    const input = await connected();
    await expect(getChangeDataCapture({ ...input, entities: [], changedSince: ago(MINUTE) })).rejects.toThrow(RangeError);
    expect(intuit.emulator.calls.api).toBe(0);
  });
});
