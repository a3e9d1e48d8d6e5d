import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * An API key is `qbc_live_<8 chars>_<43 chars>`: the first part is the public prefix (shown in the console, stored,
 * used to find the row), the second 32 random bytes in base64url. Only the SHA-256 of the whole key is stored.
 *
 * Why a plain, fast SHA-256 and not a password hash (argon2, as for sign-in passwords): a slow hash protects
 * low-entropy secrets that people choose, by making each guess expensive. This secret is 256 bits from the CSPRNG, so
 * there is nothing to guess: inverting SHA-256 of it is as hard as guessing the key itself, with or without salt.
 * A fast hash also keeps key checks cheap on every API request.
 */
const PREFIX_PUBLIC = "qbc_live_";
// Lower-case letters and digits without the look-alikes (0/o, 1/l): 32 symbols, so 8 of them are 40 bits.
const PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
const KEY_PATTERN = /^(qbc_live_[a-km-np-z2-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface KeyMaterial {
  /** The whole key: handed to the admin once, never stored. */
  key: string;
  prefix: string;
  secretHash: string;
}

export function generateKeyMaterial(): KeyMaterial {
  const bytes = randomBytes(8);
  let suffix = "";
  for (const byte of bytes) suffix += PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length];
  const prefix = `${PREFIX_PUBLIC}${suffix}`;
  const key = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix, secretHash: hashKey(key) };
}

/** The prefix of a well-formed key, or null: a malformed value never reaches the database. */
export function prefixOf(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Constant-time comparison of a presented key with a stored hash. */
export function keyMatches(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashKey(key), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
