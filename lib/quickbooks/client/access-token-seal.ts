import "server-only";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding } from "@/lib/crypto/token-binding";
import type { ConnectionRow } from "../store/connections";

type AccessTokenSeal = "current_key" | "previous_key" | "unreadable";

// The status is polled many times a minute while a stored access token changes once an hour: opening it again costs
// ~50 µs of AES-GCM set-up a poll, and the outcome for the same sealed text under the same keys cannot change. The
// outcomes of the latest few hundred tokens are kept, per cipher (a key change makes a new one).
const SEAL_OUTCOMES_KEPT = 500;
const sealOutcomes = new WeakMap<object, Map<string, AccessTokenSeal>>();

/**
 * Whether the stored access token opens, and with which key: readiness evidence, without handing out the token. A
 * token bound to another row or column (copied there) is unreadable.
 */
export function inspectAccessTokenSeal(row: Pick<ConnectionRow, "id" | "tenantId" | "accessTokenEnc">): AccessTokenSeal | null {
  if (!row.accessTokenEnc) return null;
  const cipher = tokenCipher();
  let outcomes = sealOutcomes.get(cipher);
  if (!outcomes) sealOutcomes.set(cipher, (outcomes = new Map()));
  const binding = connectionTokenBinding(row, "access_token_enc");
  // The outcome depends on the row too: the same text copied elsewhere does not open there.
  const key = `${binding} ${row.accessTokenEnc}`;
  const known = outcomes.get(key);
  if (known) return known;
  let outcome: AccessTokenSeal;
  try {
    cipher.decrypt(row.accessTokenEnc, binding);
    outcome = cipher.needsRotation(row.accessTokenEnc) ? "previous_key" : "current_key";
  } catch {
    outcome = "unreadable";
  }
  if (outcomes.size >= SEAL_OUTCOMES_KEPT) outcomes.delete(outcomes.keys().next().value!);
  outcomes.set(key, outcome);
  return outcome;
}
