import { AppError } from "@/lib/errors";

/**
 * Reads a request body as raw bytes, refusing it as soon as it passes `limit` bytes: a signature must be checked on
 * exactly the bytes received, and an oversized body must not be buffered whole first.
 */
export async function readBodyWithLimit(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return new Uint8Array(0);
  if (Number.isFinite(declared)) {
    // A declared length within the limit (Node's parser never reads past it): one read, as cheap as a body gets.
    const body = new Uint8Array(await req.arrayBuffer());
    if (body.byteLength > limit) throw tooLarge(limit);
    return body;
  }
  // No declared length (chunked): read chunk by chunk and stop as soon as the limit is passed.
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(limit: number): AppError {
  return new AppError("payload_too_large", 413, `The request body is larger than ${Math.round(limit / 1024)} KB.`);
}
