import { describe, expect, it } from "vitest";
import { realmIdOfIdToken } from "./id-token";

const jwt = (claims: unknown) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2lnbmF0dXJl`;

describe("realmIdOfIdToken", () => {
  it("reads the realmid claim", () => {
    expect(realmIdOfIdToken(jwt({ sub: "u1", realmid: "9341452000000001" }))).toBe("9341452000000001");
  });

  it("says null for a token without the claim, or one that is not a JWT", () => {
    expect(realmIdOfIdToken(jwt({ sub: "u1" }))).toBeNull();
    expect(realmIdOfIdToken(jwt({ realmid: 42 }))).toBeNull();
    expect(realmIdOfIdToken("not-a-jwt")).toBeNull();
    expect(realmIdOfIdToken("a.%%%.c")).toBeNull();
  });
});
