import { describe, expect, it, vi } from "vitest";
import type { JWT } from "next-auth/jwt";
import { SessionTokenCache } from "./session-token-cache";

const NOW = Date.UTC(2026, 10, 29, 9, 0, 0);
const token = (expInSeconds: number) => ({ userId: "u1", tenantId: "t1", exp: NOW / 1000 + expInSeconds });

describe("SessionTokenCache", () => {
  it("should decode a cookie once and serve the same claims while they are live", async () => {
    const cache = new SessionTokenCache();
    const decode = vi.fn(async () => token(3600));
    expect(await cache.get("cookie-a", decode, NOW)).toEqual(token(3600));
    expect(await cache.get("cookie-a", decode, NOW + 1_000)).toEqual(token(3600));
    expect(decode).toHaveBeenCalledTimes(1);
  });

  it("should decode again once the token has expired (and then let the decoder decide)", async () => {
    const cache = new SessionTokenCache();
    const decode = vi.fn(async (): Promise<JWT | null> => token(60));
    await cache.get("cookie-a", decode, NOW);
    decode.mockResolvedValueOnce(null);
    expect(await cache.get("cookie-a", decode, NOW + 61_000)).toBeNull();
    expect(decode).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it("should never keep a cookie that did not decode, nor a token without an expiry", async () => {
    const cache = new SessionTokenCache();
    const forged = vi.fn(async () => null);
    expect(await cache.get("forged", forged, NOW)).toBeNull();
    expect(await cache.get("forged", forged, NOW)).toBeNull();
    expect(forged).toHaveBeenCalledTimes(2);
    await cache.get("no-exp", async () => ({ userId: "u1" }), NOW);
    expect(cache.size).toBe(0);
  });

  it("should hold at most maxEntries tokens, dropping the oldest", async () => {
    const cache = new SessionTokenCache(2);
    const decode = vi.fn(async () => token(3600));
    for (const raw of ["a", "b", "c"]) await cache.get(raw, decode, NOW);
    expect(cache.size).toBe(2);
    await cache.get("a", decode, NOW);
    expect(decode).toHaveBeenCalledTimes(4);
  });
});
