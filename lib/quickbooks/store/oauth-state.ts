import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, lt } from "drizzle-orm";
import { db, type Transaction } from "@/db";
import { oauthStates } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import type { IntuitEnvironment } from "@/lib/env";

// The OAuth `state` of a Connect, in one place: created (256 random bits, sent to Intuit in clear, stored only as its
// SHA-256 so a database reader cannot forge a callback), stored with its lifetime and the request it belongs to,
// consumed once, atomically, and classified. Dub keeps its state the same way: server-side, single use, expiring,
// bound to the user and tenant that started it.

/** How long a consent may take at Intuit before its callback is refused. */
export const STATE_LIFETIME_MS = 10 * 60 * 1000;
/**
 * Spent and expired states are kept this long (for "state_reused" and "state_expired" to be told apart from
 * "state_unknown"), then swept by the next Connect: the table stays small without a job.
 */
export const STATE_KEPT_MS = 24 * 60 * 60 * 1000;

export function createOAuthState(): { state: string; stateHash: string } {
  const state = randomBytes(32).toString("base64url");
  return { state, stateHash: hashOAuthState(state) };
}

export function hashOAuthState(state: string): string {
  return createHash("sha256").update(state, "utf8").digest("hex");
}

export interface NewOAuthState {
  tenantId: string;
  userId: string;
  environment: IntuitEnvironment;
  /** Sent in the authorization request; the code exchange must send the same. */
  redirectUri: string;
  /** The PKCE verifier, when Intuit's document offers PKCE; stored sealed. */
  codeVerifier: string | null;
}

/** Stores the state of a new Connect, in the caller's transaction, and returns the value to send to Intuit. */
export async function storeOAuthState(tx: Transaction, request: NewOAuthState, now: Date): Promise<string> {
  await tx.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date(now.getTime() - STATE_KEPT_MS)));
  const { state, stateHash } = createOAuthState();
  await tx.insert(oauthStates).values({
    stateHash,
    tenantId: request.tenantId,
    userId: request.userId,
    environment: request.environment,
    redirectUri: request.redirectUri,
    codeVerifierEnc: request.codeVerifier ? tokenCipher().encrypt(request.codeVerifier) : null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + STATE_LIFETIME_MS),
  });
  return state;
}

export type StateRejection = "state_unknown" | "state_reused" | "state_expired" | "state_foreign";

/** Whether a state consumed just now may complete this callback. Pure, so every case is unit-tested. */
export function classifyConsumedState(
  stored: { userId: string; tenantId: string; expiresAt: Date },
  caller: { userId: string; tenantId: string } | null,
  now: Date,
): "ok" | "state_expired" | "state_foreign" {
  if (stored.expiresAt.getTime() <= now.getTime()) return "state_expired";
  if (!caller || caller.userId !== stored.userId || caller.tenantId !== stored.tenantId) return "state_foreign";
  return "ok";
}

/** The Connect a state belongs to, opened for the code exchange. */
export interface ConnectRequest {
  tenantId: string;
  userId: string;
  environment: IntuitEnvironment;
  redirectUri: string;
  codeVerifier: string | null;
}

export type ConsumedState =
  | { outcome: "ok"; request: ConnectRequest }
  /** The tenant and environment are those of the state's own Connect, when it was one of ours. */
  | { outcome: StateRejection; tenantId: string | null; environment: IntuitEnvironment | null };

/**
 * Spends a state: the first callback that presents it consumes it (one conditional UPDATE … RETURNING), whatever
 * follows, so a callback fired twice (reload, back button) goes on once.
 */
export async function consumeOAuthState(state: string, caller: { userId: string; tenantId: string } | null, now: Date): Promise<ConsumedState> {
  const stateHash = hashOAuthState(state);
  const [consumed] = await db()
    .update(oauthStates)
    .set({ consumedAt: now })
    .where(and(eq(oauthStates.stateHash, stateHash), isNull(oauthStates.consumedAt)))
    .returning();
  if (!consumed) {
    // Spent by an earlier callback (kept a day), or never issued by this app.
    const [spent] = await db().select({ tenantId: oauthStates.tenantId, environment: oauthStates.environment }).from(oauthStates).where(eq(oauthStates.stateHash, stateHash));
    return { outcome: spent ? "state_reused" : "state_unknown", tenantId: spent?.tenantId ?? null, environment: spent?.environment ?? null };
  }
  const outcome = classifyConsumedState(consumed, caller, now);
  if (outcome !== "ok") return { outcome, tenantId: consumed.tenantId, environment: consumed.environment };
  return {
    outcome,
    request: {
      tenantId: consumed.tenantId,
      userId: consumed.userId,
      environment: consumed.environment,
      redirectUri: consumed.redirectUri,
      codeVerifier: consumed.codeVerifierEnc ? tokenCipher().decrypt(consumed.codeVerifierEnc) : null,
    },
  };
}
