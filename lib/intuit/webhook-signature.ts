import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Intuit's `intuit-signature`: Base64(HMAC-SHA256(key = verifier token, message = the raw request body)).
 * Computed over the bytes received (never a re-serialised JSON) and compared in constant time.
 */
export function signWebhookBody(body: Uint8Array | string, verifierToken: string): string {
  return createHmac("sha256", verifierToken).update(body).digest("base64");
}

export function verifyWebhookSignature(body: Uint8Array, signature: string | null, verifierToken: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signWebhookBody(body, verifierToken), "base64");
  let given: Buffer;
  try {
    given = Buffer.from(signature.trim(), "base64");
  } catch {
    return false;
  }
  // timingSafeEqual needs equal lengths; a length mismatch is a mismatch, and leaks only the (public) digest size.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
