import { describe, expect, it } from "vitest";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding } from "@/lib/crypto/token-binding";
import { keyFromBase64, TokenCipher } from "@/lib/crypto/token-cipher";
import { inspectAccessTokenSeal } from "./access-token-seal";

const ROW = { id: "0b6c2f3e-1111-4c4c-9c9c-000000000001", tenantId: "0b6c2f3e-2222-4c4c-9c9c-000000000002" };
const bound = (token: string) => tokenCipher().encrypt(token, connectionTokenBinding(ROW, "access_token_enc"));

describe("inspectAccessTokenSeal", () => {
  it("says whether a stored access token opens with the current key, and the same again when asked again", () => {
    const sealed = tokenCipher().encrypt("access-token-1");
    expect(inspectAccessTokenSeal({ ...ROW, accessTokenEnc: sealed })).toBe("current_key");
    expect(inspectAccessTokenSeal({ ...ROW, accessTokenEnc: sealed })).toBe("current_key");
  });

  it("says unreadable for a token sealed with another key or tampered with, every time", () => {
    const other = new TokenCipher(keyFromBase64(Buffer.alloc(32, 3).toString("base64"))).encrypt("access-token-2");
    const sealed = tokenCipher().encrypt("access-token-3");
    const tampered = sealed.slice(0, -4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const value of [other, tampered, other, tampered]) expect(inspectAccessTokenSeal({ ...ROW, accessTokenEnc: value })).toBe("unreadable");
  });

  it("says unreadable for a token bound to another tenant's row or to the refresh token column, and opens it on its own row", () => {
    const sealed = bound("access-token-4");
    expect(inspectAccessTokenSeal({ ...ROW, accessTokenEnc: sealed })).toBe("current_key");
    expect(inspectAccessTokenSeal({ ...ROW, tenantId: "0b6c2f3e-3333-4c4c-9c9c-000000000003", accessTokenEnc: sealed })).toBe("unreadable");
    const refresh = tokenCipher().encrypt("refresh-token-4", connectionTokenBinding(ROW, "refresh_token_enc"));
    expect(inspectAccessTokenSeal({ ...ROW, accessTokenEnc: refresh })).toBe("unreadable");
  });

  it("says nothing when no token is stored", () => {
    expect(inspectAccessTokenSeal({ ...ROW, accessTokenEnc: null })).toBeNull();
  });

  it("keeps answering right past the number of outcomes it remembers", () => {
    const sealed = Array.from({ length: 600 }, (_, i) => tokenCipher().encrypt(`access-token-${i}`));
    for (const value of [...sealed, ...sealed.slice(0, 10)]) expect(inspectAccessTokenSeal({ ...ROW, accessTokenEnc: value })).toBe("current_key");
  });
});
