import "server-only";
import type { JWT } from "next-auth/jwt";

/**
 * Decoded session tokens, by the cookie's exact value. Decoding an Auth.js session (HKDF key derivation, then JWE
 * A256CBC-HS512) costs more than the rest of a status poll's own work, and a console polls the same cookie every few
 * seconds. Safe to keep: the claims are a pure function of the cookie's bytes and the secret (both unchanged for a
 * hit), expiry is checked again on every hit, only tokens that decoded are kept (a forged cookie is never cached),
 * and nothing read from the database (the membership, the role) is cached here.
 */
export class SessionTokenCache {
  private readonly entries = new Map<string, JWT>();

  constructor(private readonly maxEntries = 1_000) {}

  /** The token for `raw`, decoding it with `decode` unless a live decoded copy is held. */
  async get(raw: string, decode: (raw: string) => Promise<JWT | null>, now = Date.now()): Promise<JWT | null> {
    const held = this.entries.get(raw);
    if (held) {
      if (isLive(held, now)) return held;
      this.entries.delete(raw);
    }
    const token = await decode(raw);
    if (token && isLive(token, now)) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(raw, token);
    }
    return token;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Auth.js session tokens always carry `exp`; one without it is never kept. */
function isLive(token: JWT, now: number): boolean {
  return typeof token.exp === "number" && token.exp * 1000 > now;
}
