import { createHash, randomBytes } from "node:crypto";

/** OAuth `state`: 256 random bits, handed to Intuit in clear and stored only as its SHA-256. */
export const STATE_LIFETIME_MS = 10 * 60 * 1000;

export function createOAuthState(): { state: string; stateHash: string } {
  const state = randomBytes(32).toString("base64url");
  return { state, stateHash: hashOAuthState(state) };
}

export function hashOAuthState(state: string): string {
  return createHash("sha256").update(state, "utf8").digest("hex");
}

export type StateRejection = "state_expired" | "state_foreign";

export interface StoredState {
  userId: string;
  tenantId: string;
  expiresAt: Date;
}

/** Decides whether a just-consumed state may complete this callback. Pure, so every case is unit-tested. */
export function checkConsumedState(
  stored: StoredState,
  caller: { userId: string; tenantId: string } | null,
  now: Date,
): StateRejection | null {
  if (stored.expiresAt.getTime() <= now.getTime()) return "state_expired";
  if (!caller || caller.userId !== stored.userId || caller.tenantId !== stored.tenantId) return "state_foreign";
  return null;
}
