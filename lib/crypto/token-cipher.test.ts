import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyFromBase64, TokenCipher, TokenCipherError } from "./token-cipher";

const newKey = () => keyFromBase64(randomBytes(32).toString("base64"));

describe("TokenCipher", () => {
  it("round-trips a value and never stores it in clear", () => {
    const cipher = new TokenCipher(newKey());
    const sealed = cipher.encrypt("AB11-refresh-token-value");
    expect(sealed).not.toContain("AB11-refresh-token-value");
    expect(sealed.startsWith(`v1.${cipher.currentKeyId}.`)).toBe(true);
    expect(cipher.decrypt(sealed)).toBe("AB11-refresh-token-value");
  });

  it("uses a fresh IV each time", () => {
    const cipher = new TokenCipher(newKey());
    expect(cipher.encrypt("same")).not.toBe(cipher.encrypt("same"));
  });

  it("opens values sealed with a previous key and flags them for rotation", () => {
    const oldKey = newKey();
    const sealedWithOld = new TokenCipher(oldKey).encrypt("secret");
    const rotated = new TokenCipher(newKey(), [oldKey]);
    expect(rotated.decrypt(sealedWithOld)).toBe("secret");
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt("secret"))).toBe(false);
  });

  it("refuses an unknown key, a tampered value and garbage", () => {
    const cipher = new TokenCipher(newKey());
    const other = new TokenCipher(newKey()).encrypt("secret");
    expect(() => cipher.decrypt(other)).toThrow(expect.objectContaining({ reason: "unknown_key" }));

    const sealed = cipher.encrypt("secret");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[4]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    parts[4] = flipped.toString("base64url");
    expect(() => cipher.decrypt(parts.join("."))).toThrow(expect.objectContaining({ reason: "tampered" }));
    expect(() => cipher.decrypt("plain-text-token")).toThrow(TokenCipherError);
  });

  it("refuses a value whose tag was cut short, which GCM would otherwise check only in part", () => {
    const cipher = new TokenCipher(newKey());
    for (const binding of [undefined, "quickbooks_connections/t/c/access_token_enc"]) {
      const parts = cipher.encrypt("secret", binding).split(".");
      expect(Buffer.from(parts[3]!, "base64url")).toHaveLength(16);
      parts[3] = Buffer.from(parts[3]!, "base64url").subarray(0, 4).toString("base64url");
      expect(() => cipher.decrypt(parts.join("."), binding)).toThrow(expect.objectContaining({ reason: "tampered" }));
    }
  });

  it("binds a value to its row and column: it opens with the same binding only", () => {
    const cipher = new TokenCipher(newKey());
    const sealed = cipher.encrypt("refresh-token-A", "quickbooks_connections/tenant-a/conn-a/refresh_token_enc");
    expect(sealed.startsWith(`v2.${cipher.currentKeyId}.`)).toBe(true);
    expect(cipher.decrypt(sealed, "quickbooks_connections/tenant-a/conn-a/refresh_token_enc")).toBe("refresh-token-A");
    for (const other of ["quickbooks_connections/tenant-b/conn-a/refresh_token_enc", "quickbooks_connections/tenant-a/conn-a/access_token_enc", ""]) {
      expect(() => cipher.decrypt(sealed, other)).toThrow(expect.objectContaining({ reason: "tampered" }));
    }
    expect(() => cipher.decrypt(sealed)).toThrow(TokenCipherError);
    // Relabelled as unbound, it does not open either: the tag covers the binding.
    expect(() => cipher.decrypt(sealed.replace(/^v2\./, "v1."))).toThrow(expect.objectContaining({ reason: "tampered" }));
  });

  it("keeps opening unbound values, and reseals them bound with the current key", () => {
    const oldKey = newKey();
    const legacy = new TokenCipher(oldKey).encrypt("access-token-1");
    const cipher = new TokenCipher(newKey(), [oldKey]);
    expect(cipher.decrypt(legacy, "quickbooks_connections/t/c/access_token_enc")).toBe("access-token-1");
    expect(cipher.isBoundWithCurrentKey(legacy)).toBe(false);
    const bound = cipher.reseal(legacy, undefined, "quickbooks_connections/t/c/access_token_enc");
    expect(cipher.isBoundWithCurrentKey(bound)).toBe(true);
    expect(cipher.decrypt(bound, "quickbooks_connections/t/c/access_token_enc")).toBe("access-token-1");
    const moved = cipher.reseal(bound, "quickbooks_connections/t/c/access_token_enc", "token_revocations/t/r/token_enc");
    expect(cipher.decrypt(moved, "token_revocations/t/r/token_enc")).toBe("access-token-1");
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => keyFromBase64(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });
});
