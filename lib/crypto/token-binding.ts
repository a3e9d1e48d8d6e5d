/**
 * What a sealed token is bound to (TokenCipher's additional authenticated data): its table, tenant, row and column. A
 * token copied into another tenant's row, another connection, or the other token column then fails its integrity
 * check instead of opening, so a database writer without the key cannot make one tenant use another's grant.
 */

export type ConnectionTokenColumn = "access_token_enc" | "refresh_token_enc";

export function connectionTokenBinding(connection: { tenantId: string; id: string }, column: ConnectionTokenColumn): string {
  return `quickbooks_connections/${connection.tenantId}/${connection.id}/${column}`;
}

export function revocationTokenBinding(revocation: { tenantId: string; id: string }): string {
  return `token_revocations/${revocation.tenantId}/${revocation.id}/token_enc`;
}
