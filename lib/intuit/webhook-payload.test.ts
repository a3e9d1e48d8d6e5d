import { describe, expect, it } from "vitest";
import { readWebhookPayload, WebhookPayloadError } from "./webhook-payload";

const legacy = {
  eventNotifications: [
    {
      realmId: "9341452000000001",
      dataChangeEvent: {
        entities: [
          { name: "Invoice", id: "130", operation: "Create", lastUpdated: "2026-11-29T10:00:00.000Z" },
          { name: "Customer", id: "7", operation: "Update", lastUpdated: "2026-11-29T10:00:01.000Z" },
        ],
      },
    },
  ],
};
const cloudEvents = [
  {
    specversion: "1.0",
    id: "88cd52a0-2c1c-4f62-9a5f-aeb8ef4bde5f",
    source: "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
    type: "qbo.invoice.created.v1",
    datacontenttype: "application/json",
    time: "2026-11-29T10:00:00Z",
    intuitentityid: "130",
    intuitaccountid: "9341452000000001",
    data: {},
  },
];

describe("readWebhookPayload", () => {
  it("reads the older eventNotifications payload", () => {
    const { format, events } = readWebhookPayload(legacy);
    expect(format).toBe("legacy");
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ realmId: "9341452000000001", entity: "invoice", entityId: "130", operation: "create" });
    expect(events[0]!.occurredAt?.toISOString()).toBe("2026-11-29T10:00:00.000Z");
    expect(events[0]!.key).not.toBe(events[1]!.key);
  });

  it("reads the CloudEvents array and keys events by their id", () => {
    const { format, events } = readWebhookPayload(cloudEvents);
    expect(format).toBe("cloudevents");
    expect(events).toEqual([
      { key: "ce:88cd52a0-2c1c-4f62-9a5f-aeb8ef4bde5f", realmId: "9341452000000001", entity: "invoice", entityId: "130", operation: "create", occurredAt: new Date("2026-11-29T10:00:00Z") },
    ]);
  });

  it("accepts a single CloudEvent object", () => {
    expect(readWebhookPayload(cloudEvents[0]).events).toHaveLength(1);
  });

  it("gives the same key to the same legacy event, whichever delivery carries it", () => {
    expect(readWebhookPayload(legacy).events[0]!.key).toBe(readWebhookPayload(structuredClone(legacy)).events[0]!.key);
  });

  it.each([
    ["an empty object", {}],
    ["a number", 42],
    ["an empty array", []],
    ["legacy without entities", { eventNotifications: [{ realmId: "1", dataChangeEvent: {} }] }],
    ["a CloudEvent with a foreign type", [{ ...cloudEvents[0], type: "com.example.other" }]],
    ["a CloudEvent without an account id", [{ ...cloudEvents[0], intuitaccountid: undefined }]],
  ])("refuses %s", (_name, json) => {
    expect(() => readWebhookPayload(json)).toThrow(WebhookPayloadError);
  });
});
