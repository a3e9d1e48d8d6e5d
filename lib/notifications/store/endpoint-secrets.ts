import "server-only";
import type { webhookEndpoints } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";

// The one place an outbound endpoint's signing secrets are opened (eslint.config.mjs allows it here): to sign a
// delivery, and nowhere else. They are never logged, stored in the clear, or sent anywhere but as a signature.

/** The secrets that sign a delivery now: the current one, and the previous one during a rotation's overlap. */
export function signingSecretsOf(endpoint: Pick<typeof webhookEndpoints.$inferSelect, "secretEnc" | "previousSecretEnc" | "previousSecretUntil">, now = new Date()): string[] {
  const cipher = tokenCipher();
  const secrets = [cipher.decrypt(endpoint.secretEnc)];
  if (endpoint.previousSecretEnc && endpoint.previousSecretUntil && endpoint.previousSecretUntil > now) secrets.push(cipher.decrypt(endpoint.previousSecretEnc));
  return secrets;
}
