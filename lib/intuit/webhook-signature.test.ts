import { describe, expect, it } from "vitest";
import { signWebhookBody, verifyWebhookSignature } from "./webhook-signature";

const token = "verifier-token-123";
const body = Buffer.from('{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[]}}]}');

describe("intuit-signature", () => {
  it("is base64 HMAC-SHA256 of the raw body with the verifier token", () => {
    // Known answer computed independently: printf %s hello | openssl dgst -sha256 -hmac key -binary | base64
    expect(signWebhookBody("hello", "key")).toBe("kwezuRXvtRcf8U2MtV+8x5jGwO8UVtZt7RpqpyOli3s=");
  });

  it("accepts the right signature", () => {
    expect(verifyWebhookSignature(body, signWebhookBody(body, token), token)).toBe(true);
  });

  it("refuses a missing header, a wrong key, garbage and a body altered by one byte", () => {
    const signature = signWebhookBody(body, token);
    expect(verifyWebhookSignature(body, null, token)).toBe(false);
    expect(verifyWebhookSignature(body, "", token)).toBe(false);
    expect(verifyWebhookSignature(body, signWebhookBody(body, "other-token"), token)).toBe(false);
    expect(verifyWebhookSignature(body, "not base64 at all!!", token)).toBe(false);
    const altered = Buffer.from(body);
    altered[10] = altered[10]! ^ 1;
    expect(verifyWebhookSignature(altered, signature, token)).toBe(false);
  });

  it("refuses a signature of a re-serialised body", () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(verifyWebhookSignature(body, signWebhookBody(pretty, token), token)).toBe(false);
  });
});
