import { describe, expect, it } from "vitest";
import { withRetry } from "./retry";

const fast = { attempts: 3, baseDelayMs: 1, timeLimitMs: 1000 };

describe("withRetry", () => {
  it("retries passing failures and returns the first success", async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error("flaky");
        return "ok";
      },
      () => true,
      fast,
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
  });

  it("gives up after the attempt limit", async () => {
    let calls = 0;
    await expect(withRetry(async () => Promise.reject(new Error(`fail ${++calls}`)), () => true, fast)).rejects.toThrow("fail 3");
  });

  it("does not retry a failure that is not passing", async () => {
    let calls = 0;
    await expect(withRetry(async () => Promise.reject(new Error(`fail ${++calls}`)), () => false, fast)).rejects.toThrow("fail 1");
  });

  it("stops when the time limit would be passed", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => Promise.reject(new Error(`fail ${++calls}`)), () => true, { attempts: 10, baseDelayMs: 50, timeLimitMs: 0 }),
    ).rejects.toThrow("fail 1");
  });
});
