import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for OAuth tokens and client secrets at rest.
 * Stored form: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id lets keys rotate: new values are
 * sealed with the current key, old values still open with a previous key until they are re-sealed.
 */

const VERSION = "v1";
const IV_BYTES = 12;

export interface CipherKey {
  id: string;
  key: Buffer;
}

export function keyFromBase64(base64: string): CipherKey {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new Error("An encryption key must be 32 bytes (base64-encoded).");
  // The id is a short fingerprint: it names the key without revealing it.
  const id = createHash("sha256").update(key).digest("hex").slice(0, 12);
  return { id, key };
}

export class TokenCipher {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly current: CipherKey,
    previous: CipherKey[] = [],
  ) {
    this.byId = new Map([...previous, current].map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(".");
  }

  decrypt(sealed: string): string {
    const parts = sealed.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) throw new TokenCipherError("malformed", "The stored value is not a sealed token.");
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    const key = this.byId.get(keyId);
    if (!key) throw new TokenCipherError("unknown_key", `The stored value was sealed with key ${keyId}, which is not configured.`);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new TokenCipherError("tampered", "The stored value failed its integrity check.");
    }
  }

  /** True when the value was sealed with an older key and should be re-sealed. */
  needsRotation(sealed: string): boolean {
    return sealed.split(".")[1] !== this.current.id;
  }
}

export class TokenCipherError extends Error {
  constructor(
    readonly reason: "malformed" | "unknown_key" | "tampered",
    message: string,
  ) {
    super(message);
    this.name = "TokenCipherError";
  }
}
