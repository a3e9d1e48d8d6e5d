import { describe, expect, it } from "vitest";
import { tokenCipher } from "@/lib/crypto/cipher";
import { keyFromBase64, TokenCipher } from "@/lib/crypto/token-cipher";
import { inspectAccessTokenSeal } from "./access-token-seal";

describe("inspectAccessTokenSeal", () => {
  it("says whether a stored access token opens with the current key, and the same again when asked again", () => {
    const sealed = tokenCipher().encrypt("access-token-1");
    expect(inspectAccessTokenSeal({ accessTokenEnc: sealed })).toBe("current_key");
    expect(inspectAccessTokenSeal({ accessTokenEnc: sealed })).toBe("current_key");
  });

  it("says unreadable for a token sealed with another key or tampered with, every time", () => {
    const other = new TokenCipher(keyFromBase64(Buffer.alloc(32, 3).toString("base64"))).encrypt("access-token-2");
    const sealed = tokenCipher().encrypt("access-token-3");
    const tampered = sealed.slice(0, -4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const value of [other, tampered, other, tampered]) expect(inspectAccessTokenSeal({ accessTokenEnc: value })).toBe("unreadable");
  });

  it("says nothing when no token is stored", () => {
    expect(inspectAccessTokenSeal({ accessTokenEnc: null })).toBeNull();
  });

  it("keeps answering right past the number of outcomes it remembers", () => {
    const sealed = Array.from({ length: 600 }, (_, i) => tokenCipher().encrypt(`access-token-${i}`));
    for (const value of [...sealed, ...sealed.slice(0, 10)]) expect(inspectAccessTokenSeal({ accessTokenEnc: value })).toBe("current_key");
  });
});
