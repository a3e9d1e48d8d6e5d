import type { IntuitTokenSet } from "@/lib/intuit/oauth";

/** Absolute expiry times from Intuit's relative lifetimes, measured from when the answer arrived. */
export function tokenExpiries(tokens: IntuitTokenSet, receivedAt: Date) {
  const at = (seconds: number) => new Date(receivedAt.getTime() + seconds * 1000);
  return {
    accessTokenExpiresAt: at(tokens.expiresInSeconds),
    refreshTokenExpiresAt: at(tokens.refreshTokenExpiresInSeconds),
    refreshTokenHardExpiresAt: tokens.refreshTokenHardExpiresInSeconds === null ? null : at(tokens.refreshTokenHardExpiresInSeconds),
  };
}
