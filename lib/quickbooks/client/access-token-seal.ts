import "server-only";
import { tokenCipher } from "@/lib/crypto/cipher";
import type { ConnectionRow } from "../store/connections";

type AccessTokenSeal = "current_key" | "previous_key" | "unreadable";

// The status is polled many times a minute while a stored access token changes once an hour: opening it again costs
// ~50 µs of AES-GCM set-up a poll, and the outcome for the same sealed text under the same keys cannot change. The
// outcomes of the latest few hundred tokens are kept, per cipher (a key change makes a new one).
const SEAL_OUTCOMES_KEPT = 500;
const sealOutcomes = new WeakMap<object, Map<string, AccessTokenSeal>>();

/** Whether the stored access token opens, and with which key: readiness evidence, without handing out the token. */
export function inspectAccessTokenSeal(row: Pick<ConnectionRow, "accessTokenEnc">): AccessTokenSeal | null {
  if (!row.accessTokenEnc) return null;
  const cipher = tokenCipher();
  let outcomes = sealOutcomes.get(cipher);
  if (!outcomes) sealOutcomes.set(cipher, (outcomes = new Map()));
  const known = outcomes.get(row.accessTokenEnc);
  if (known) return known;
  let outcome: AccessTokenSeal;
  try {
    cipher.decrypt(row.accessTokenEnc);
    outcome = cipher.needsRotation(row.accessTokenEnc) ? "previous_key" : "current_key";
  } catch {
    outcome = "unreadable";
  }
  if (outcomes.size >= SEAL_OUTCOMES_KEPT) outcomes.delete(outcomes.keys().next().value!);
  outcomes.set(row.accessTokenEnc, outcome);
  return outcome;
}
