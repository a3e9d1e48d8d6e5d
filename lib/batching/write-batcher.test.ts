import { describe, expect, it } from "vitest";
import { createWriteBatcher } from "./write-batcher";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createWriteBatcher", () => {
  it("writes the items submitted in the same turn together, and answers each caller its own result", async () => {
    const writes: number[][] = [];
    const submit = createWriteBatcher<number, string>({ write: async (items) => (writes.push(items), items.map((i) => `#${i}`)), maxItems: 100, maxInFlight: 1 });
    const results = await Promise.all([1, 2, 3, 4].map(submit));
    expect(results).toEqual(["#1", "#2", "#3", "#4"]);
    expect(writes).toEqual([[1, 2, 3, 4]]);
  });

  it("writes a lone item at once, and queues the items that arrive while the writes in flight are at their limit", async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const submit = createWriteBatcher<number, number>({
      write: async (items) => {
        writes.push(items);
        if (writes.length === 1) await gate;
        return items;
      },
      maxItems: 2,
      maxInFlight: 1,
    });
    const first = submit(1);
    await tick();
    expect(writes).toEqual([[1]]);
    const later = [2, 3, 4, 5, 6].map(submit);
    await tick();
    expect(writes).toHaveLength(1);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4, 5, 6]);
    // Queued items go in batches of at most maxItems.
    expect(writes).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it("runs up to maxInFlight writes at once", async () => {
    let running = 0;
    let most = 0;
    const submit = createWriteBatcher<number, number>({
      write: async (items) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return items;
      },
      maxItems: 1,
      maxInFlight: 3,
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => submit(i)));
    expect(most).toBe(3);
  });

  it("writes each item of a failed batch on its own, so one bad item fails only its own caller", async () => {
    const writes: number[][] = [];
    const submit = createWriteBatcher<number, number>({
      write: async (items) => {
        writes.push(items);
        if (items.includes(13)) throw new Error("value out of range");
        return items.map((i) => i * 2);
      },
      maxItems: 10,
      maxInFlight: 1,
    });
    const results = await Promise.allSettled([12, 13, 14].map(submit));
    expect(results).toEqual([
      { status: "fulfilled", value: 24 },
      { status: "rejected", reason: new Error("value out of range") },
      { status: "fulfilled", value: 28 },
    ]);
    expect(writes).toEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it("fails the whole batch at once on a fatal error (the database out of reach), without retrying item by item", async () => {
    const writes: number[][] = [];
    const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const submit = createWriteBatcher<number, number>({
      write: async (items) => {
        writes.push(items);
        throw down;
      },
      maxItems: 10,
      maxInFlight: 1,
      isFatal: (error) => (error as { code?: string }).code === "ECONNREFUSED",
    });
    const results = await Promise.allSettled([1, 2, 3].map(submit));
    expect(results.every((r) => r.status === "rejected" && r.reason === down)).toBe(true);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it("refuses a write that answers the wrong number of results", async () => {
    const submit = createWriteBatcher<number, number>({ write: async () => [], maxItems: 10, maxInFlight: 1 });
    await expect(submit(1)).rejects.toThrow("write answered 0 results for 1 items");
  });
});
