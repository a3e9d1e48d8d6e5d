import { describe, expect, it } from "vitest";
import { readBodyWithLimit } from "./read-body";

const request = (body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) => new Request("http://localhost/x", { method: "POST", body, headers });
const bytes = (n: number) => new Uint8Array(n).fill(65);

describe("readBodyWithLimit", () => {
  it("reads a body whose declared length is within the limit", async () => {
    expect(await readBodyWithLimit(request(bytes(100), { "content-length": "100" }), 100)).toEqual(bytes(100));
  });

  it("reads a body without a declared length (chunked) within the limit", async () => {
    expect(await readBodyWithLimit(request(bytes(100)), 100)).toEqual(bytes(100));
  });

  it.each([
    ["a declared length over the limit, before reading anything", { "content-length": "101" }],
    ["no declared length, once the bytes pass the limit", {}],
    ["a declared length that understates the body", { "content-length": "10" }],
  ])("refuses %s with 413", async (_, headers) => {
    await expect(readBodyWithLimit(request(bytes(101), headers), 100)).rejects.toMatchObject({ status: 413, code: "payload_too_large" });
  });
});
