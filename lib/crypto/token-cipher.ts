import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for OAuth tokens and client secrets at rest, with a 12-byte IV and a 16-byte tag (a shorter tag is
 * refused: Node.js would otherwise accept a tag cut down to 4 bytes, which makes a forgery 2^96 times easier).
 *
 * Stored forms (base64url parts):
 * - `v2.<keyId>.<iv>.<tag>.<ciphertext>`: bound. The binding (which row and column the value belongs to, see
 *   token-binding.ts) is the additional authenticated data, so a value copied to another row or column does not open.
 * - `v1.<keyId>.<iv>.<tag>.<ciphertext>`: unbound. Client secrets and PKCE verifiers, and tokens stored before
 *   binding existed: those keep opening wherever they are until start-up re-seals them bound (reseal-stored-tokens.ts).
 * The key id lets keys rotate: new values are sealed with the current key, old values still open with a previous key
 * until they are re-sealed.
 */

const UNBOUND = "v1";
const BOUND = "v2";
const IV_BYTES = 12;
const TAG_BYTES = 16;

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

  /** Seals a value; with a binding, only a decrypt given the same binding opens it. */
  encrypt(plaintext: string, binding?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.current.key, iv, { authTagLength: TAG_BYTES });
    if (binding !== undefined) cipher.setAAD(Buffer.from(binding, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    const version = binding === undefined ? UNBOUND : BOUND;
    return [version, this.current.id, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(".");
  }

  /**
   * Opens a value. A bound value needs the binding it was sealed with; an unbound one (v1) opens with or without one,
   * so that tokens stored before binding existed keep working until they are re-sealed.
   */
  decrypt(sealed: string, binding?: string): string {
    const parts = sealed.split(".");
    if (parts.length !== 5 || (parts[0] !== UNBOUND && parts[0] !== BOUND)) throw new TokenCipherError("malformed", "The stored value is not a sealed token.");
    const [version, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    if (version === BOUND && binding === undefined) throw new TokenCipherError("malformed", "The stored value is bound to a row, and no binding was given to open it.");
    const key = this.byId.get(keyId);
    if (!key) throw new TokenCipherError("unknown_key", `The stored value was sealed with key ${keyId}, which is not configured.`);
    const tagBytes = Buffer.from(tag, "base64url");
    if (tagBytes.length !== TAG_BYTES) throw new TokenCipherError("tampered", "The stored value failed its integrity check.");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
      if (version === BOUND) decipher.setAAD(Buffer.from(binding!, "utf8"));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new TokenCipherError("tampered", "The stored value failed its integrity check.");
    }
  }

  /**
   * The same value sealed again with the current key and bound to `to`, without handing the value out: how an
   * unbound or old-key token is upgraded, and how a token moves to another row (a revocation). `from` is the binding
   * it was sealed with (ignored for an unbound value).
   */
  reseal(sealed: string, from: string | undefined, to: string): string {
    return this.encrypt(this.decrypt(sealed, from), to);
  }

  /** True when the value is bound and sealed with the current key: nothing left to upgrade. */
  isBoundWithCurrentKey(sealed: string): boolean {
    return sealed.startsWith(`${BOUND}.${this.current.id}.`);
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
