import { describe, expect, it } from "vitest";
import { REQUEST_ID_MAX_LENGTH, requestMetaFromHeaders } from "./record";

describe("requestMetaFromHeaders", () => {
  it("keeps a request id as the proxy sent it", () => {
    expect(requestMetaFromHeaders(new Headers({ "x-request-id": "req-123" })).requestId).toBe("req-123");
  });

  it("bounds what the client wrote before it is stored: request id, user agent, address", () => {
    const meta = requestMetaFromHeaders(new Headers({ "x-request-id": "r".repeat(8000), "user-agent": "u".repeat(10_000), "x-forwarded-for": "x".repeat(2000) }));
    expect(meta.requestId).toHaveLength(REQUEST_ID_MAX_LENGTH);
    expect(meta.userAgent).toHaveLength(500);
    expect(meta.ip).toHaveLength(64);
  });

  it("generates a request id when there is none, or an empty one", () => {
    for (const headers of [new Headers(), new Headers({ "x-request-id": "" })]) {
      expect(requestMetaFromHeaders(headers).requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
