import { describe, expect, it, vi } from "vitest";
import { ExportStalledError, guardExportBody } from "./guard-export-body";

/** A source of `count` chunks that records how it ended. */
function source(count: number) {
  const seen = { pulls: 0, cancelReason: undefined as unknown, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulls === count) return controller.close();
        seen.pulls += 1;
        controller.enqueue(new Uint8Array([seen.pulls]));
      },
      cancel(reason) {
        seen.cancelled = true;
        seen.cancelReason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("guardExportBody", () => {
  it("hands every chunk on to a client that reads, and ends once", async () => {
    const { stream } = source(3);
    const onEnd = vi.fn();
    const body = guardExportBody(stream, { idleMs: 50, onEnd });
    const bytes = new Uint8Array(await new Response(body).arrayBuffer());
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it("does not count the time the source takes to produce a chunk", async () => {
    const slow = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          await sleep(120);
          controller.enqueue(new Uint8Array([9]));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const body = guardExportBody(slow, { idleMs: 60, onEnd: () => {} });
    expect([...new Uint8Array(await new Response(body).arrayBuffer())]).toEqual([9]);
  });

  it("cuts a client that stops reading: the source is cancelled as stalled, the body errors, the end is told once", async () => {
    const { stream, seen } = source(100);
    const onEnd = vi.fn();
    const reader = guardExportBody(stream, { idleMs: 40, onEnd }).getReader();
    await reader.read();
    await reader.read();
    await sleep(120);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(seen.cancelled).toBe(true);
    expect(seen.cancelReason).toBeInstanceOf(ExportStalledError);
    await expect(reader.read()).rejects.toBeInstanceOf(ExportStalledError);
    expect(seen.pulls).toBe(2);
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it("cuts a response nobody starts reading", async () => {
    const { stream, seen } = source(5);
    const onEnd = vi.fn();
    guardExportBody(stream, { idleMs: 30, onEnd });
    await sleep(90);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(seen.cancelReason).toBeInstanceOf(ExportStalledError);
  });

  it("passes a client's cancel on to the source, with its reason, and ends once", async () => {
    const { stream, seen } = source(100);
    const onEnd = vi.fn();
    const reader = guardExportBody(stream, { idleMs: 40, onEnd }).getReader();
    await reader.read();
    await reader.cancel("gone");
    await sleep(80);
    expect(seen.cancelReason).toBe("gone");
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it("ends once when the source fails", async () => {
    const failing = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error("database gone")) }, { highWaterMark: 0 });
    const onEnd = vi.fn();
    const reader = guardExportBody(failing, { idleMs: 40, onEnd }).getReader();
    await expect(reader.read()).rejects.toThrow("database gone");
    await sleep(80);
    expect(onEnd).toHaveBeenCalledTimes(1);
  });
});
