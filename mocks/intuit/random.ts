// Random identifiers shaped like Intuit's, from Web Crypto so the emulator also runs outside Node.

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL = `${ALPHANUMERIC}-_`;
const HEX = "0123456789abcdef";

export function randomFrom(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** Intuit's trace id looks like an AWS X-Ray id: `1-<8 hex>-<24 hex>`. */
export function newIntuitTid(): string {
  return `1-${randomFrom(HEX, 8)}-${randomFrom(HEX, 24)}`;
}

/** Authorization codes and refresh tokens from Intuit start with "AB11" followed by digits and letters. */
export function newAuthorizationCode(): string {
  return `AB11${randomFrom("0123456789", 10)}${randomFrom(ALPHANUMERIC, 36)}`;
}

export function newRefreshToken(): string {
  return `AB11${randomFrom("0123456789", 10)}${randomFrom(ALPHANUMERIC, 36)}`;
}

/**
 * Intuit access tokens are compact JWEs with an empty encrypted-key part ("eyJlbmMiOi…..iv.ciphertext.tag").
 * Mimicking that length and shape lets tests catch code that truncates, logs or mangles real tokens.
 */
export function newAccessToken(): string {
  const header = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0";
  return `${header}..${randomFrom(BASE64URL, 22)}.${randomFrom(BASE64URL, 600)}.${randomFrom(BASE64URL, 22)}`;
}

export function newGrantId(): string {
  return `grant_${randomFrom(ALPHANUMERIC, 12)}`;
}
