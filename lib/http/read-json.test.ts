import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { JSON_BODY_LIMIT_BYTES, readJson, readOptionalJson } from "./read-json";

const post = (body: BodyInit | null, headers: Record<string, string> = {}) => new Request("http://localhost:3000/x", { method: "POST", body, headers });

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("readJson", () => {
  it("parses a JSON body, with or without a UTF-8 BOM", async () => {
    expect(await readJson(post('{"a":1}'))).toEqual({ a: 1 });
    expect(await readJson(post(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":1}')])))).toEqual({ a: 1 });
  });

  it("refuses an empty or malformed body, or UTF-16, with 400 invalid_json", async () => {
    for (const body of [null, "", "{", "nope", new Uint8Array(Buffer.from('{"a":1}', "utf16le"))]) {
      expect((await errorOf(readJson(post(body)))).code).toBe("invalid_json");
    }
  });

  it("refuses a body over the limit with 413, whether it says so or not", async () => {
    const over = `"${"x".repeat(JSON_BODY_LIMIT_BYTES)}"`;
    const streamed = await errorOf(readJson(post(over)));
    expect([streamed.status, streamed.code]).toEqual([413, "payload_too_large"]);
    const declared = await errorOf(readJson(post("{}", { "content-length": String(JSON_BODY_LIMIT_BYTES + 1) })));
    expect(declared.status).toBe(413);
    expect(await readJson(post(`"${"x".repeat(JSON_BODY_LIMIT_BYTES - 2)}"`))).toHaveLength(JSON_BODY_LIMIT_BYTES - 2);
  });
});

describe("readOptionalJson", () => {
  it("reads an empty body as {}", async () => {
    expect(await readOptionalJson(post(null))).toEqual({});
    expect(await readOptionalJson(post("  \n"))).toEqual({});
    expect(await readOptionalJson(post('{"environment":"sandbox"}'))).toEqual({ environment: "sandbox" });
  });

  it("has the same limit and the same 400", async () => {
    expect((await errorOf(readOptionalJson(post(`[${"1,".repeat(JSON_BODY_LIMIT_BYTES)}1]`)))).status).toBe(413);
    expect((await errorOf(readOptionalJson(post("{")))).code).toBe("invalid_json");
  });
});
