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

  it("rejects keys that are not 32 bytes", () => {
    expect(() => keyFromBase64(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });
});
