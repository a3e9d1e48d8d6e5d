import "server-only";
import { env } from "@/lib/env";
import { errorBody } from "@/lib/errors";
import { exportSlots } from "./export-slots";
import { guardExportBody } from "./guard-export-body";

/**
 * Every CSV download of the product (the logs, the sync runs, a reconciliation) goes through here: it runs under the
 * process's export limits (lib/env.ts: 4 at once per process, 2 per tenant; above them 429 `too_many_exports` with
 * Retry-After), and its body cuts a client that stops reading (QBC_EXPORT_IDLE_TIMEOUT_MS), which frees the export's
 * database connection and its slot. Bad input and refused permissions are answered before, and take no slot.
 */

/**
 * Seconds a refused client is told to wait: an export read at full speed ends within seconds (a million-row log in
 * about 2 s, bench/results-export.json), so a slot is usually free by then; one held by a slow client may take longer.
 */
export const EXPORT_RETRY_AFTER_SECONDS = 5;

/** Bytes handed on at a time for a CSV built in memory (the same unit as the COPY path's chunks). */
const TEXT_CHUNK_BYTES = 64 * 1024;

export interface CsvDownload {
  filename: string;
  /** A stream (read as the client reads), or a CSV built in memory. */
  body: ReadableStream<Uint8Array> | string;
}

/** Runs `produce` under a slot of `tenantId`'s exports and answers its CSV, or 429 when no slot is free. */
export async function csvExportResponse(tenantId: string, produce: () => Promise<CsvDownload>): Promise<Response> {
  const limits = env().exports;
  const slot = exportSlots().take(tenantId, limits);
  if (!slot.ok) return tooManyExports(slot.limit, limits);
  let download: CsvDownload;
  try {
    download = await produce();
  } catch (error) {
    slot.release();
    throw error;
  }
  const source = typeof download.body === "string" ? textStream(download.body) : download.body;
  const body = guardExportBody(source, { idleMs: limits.idleTimeoutMs, onEnd: slot.release });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${download.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

function tooManyExports(limit: "process" | "tenant", limits: { perProcess: number; perTenant: number }): Response {
  const message =
    limit === "tenant"
      ? `This tenant already has ${limits.perTenant} exports running, the most allowed at once. Try again when one has finished.`
      : `The server is already running ${limits.perProcess} exports, the most it allows at once. Try again in a few seconds.`;
  return Response.json(errorBody("too_many_exports", message), {
    status: 429,
    headers: { "retry-after": String(EXPORT_RETRY_AFTER_SECONDS), "cache-control": "no-store" },
  });
}

function textStream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, offset + TEXT_CHUNK_BYTES));
        offset += TEXT_CHUNK_BYTES;
      },
    },
    { highWaterMark: 0 },
  );
}
