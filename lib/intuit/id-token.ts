// The company an ID token names. Intuit's ID token carries the QuickBooks company in its `realmid` claim (intuit.md
// §3); the token endpoint's answer itself never names the company, the callback's query string does.
//
// The claims are read without checking the signature: the ID token came straight from Intuit's token endpoint over
// TLS in answer to our own request, which OpenID Connect Core §3.1.3.7 (6) accepts in place of the signature.

/** The `realmid` claim of an ID token, or null when the token cannot be read or has none. */
export function realmIdOfIdToken(idToken: string): string | null {
  const payload = idToken.split(".")[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const realmId = typeof claims === "object" && claims !== null ? (claims as { realmid?: unknown }).realmid : undefined;
    return typeof realmId === "string" && realmId !== "" ? realmId : null;
  } catch {
    return null;
  }
}
