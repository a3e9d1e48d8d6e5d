// RS256 ID tokens and the JWKS that verifies them, for grants that include the `openid` scope.
// Intuit's ID token carries iss, aud (array with the client id), sub, realmid, auth_time, iat, exp (jsclient
// `validateIdToken`). The key pair is made lazily with Web Crypto: most tests never ask for openid.

export interface IdTokenClaims {
  issuer: string;
  clientId: string;
  subject: string;
  realmId: string;
  issuedAtMs: number;
  ttlSeconds: number;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JsonWebKey;
}

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

function base64url(input: Uint8Array | string): string {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function createSigningKey(): Promise<SigningKey> {
  const pair = await crypto.subtle.generateKey(
    { ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  );
  const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return { kid: `emulator-${crypto.randomUUID().slice(0, 8)}`, privateKey: pair.privateKey, publicJwk };
}

export function createIdTokenSigner() {
  let key: Promise<SigningKey> | null = null;

  function signingKey(): Promise<SigningKey> {
    key ??= createSigningKey();
    return key;
  }

  async function sign(claims: IdTokenClaims): Promise<string> {
    const { kid, privateKey } = await signingKey();
    const iat = Math.floor(claims.issuedAtMs / 1000);
    const header = base64url(JSON.stringify({ alg: "RS256", kid, typ: "JWT" }));
    const payload = base64url(
      JSON.stringify({
        sub: claims.subject,
        aud: [claims.clientId],
        realmid: claims.realmId,
        auth_time: iat,
        iss: claims.issuer,
        exp: iat + claims.ttlSeconds,
        iat,
      }),
    );
    const signature = await crypto.subtle.sign(ALGORITHM, privateKey, new TextEncoder().encode(`${header}.${payload}`));
    return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
  }

  async function jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const { kid, publicJwk } = await signingKey();
    return { keys: [{ kty: publicJwk.kty, n: publicJwk.n, e: publicJwk.e, kid, use: "sig", alg: "RS256" }] };
  }

  return { sign, jwks };
}
