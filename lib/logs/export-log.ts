import "server-only";
import { databaseHandle, db } from "@/db";
import type { DatabaseHandle } from "@/db/client";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { LogName } from "./columns";
import { batchCsv, copyCsv, type CsvSource } from "./csv-writers";
import { ExportStalledError } from "./guard-export-body";
import { filterParams, type LogFilters } from "./log-query";
import { describeError } from "@/lib/describe-error";

export type CsvWriter = "copy" | "batches";

export interface ExportLogOptions {
  log: LogName;
  tenantId: string;
  actorUserId: string | null;
  /** When an API key exports (scope logs:export). */
  actorApiKeyId?: string | null;
  filters: LogFilters;
  meta?: RequestMeta;
  /** Defaults to PostgreSQL's COPY when the database is PostgreSQL, else batches (tests force one or the other). */
  writer?: CsvWriter;
  now?: Date;
}

export interface LogExport {
  filename: string;
  writer: CsvWriter;
  body: ReadableStream<Uint8Array>;
}

export function defaultWriter(handle: DatabaseHandle): CsvWriter {
  return handle.kind === "postgres" && handle.sql ? "copy" : "batches";
}

/**
 * Streams one log of a tenant as CSV, newest first, with the page's filters. Nothing is buffered beyond one chunk:
 * the database is read as the client reads. The access history gets two events: `logs.export_started` before the
 * first byte (so an export that never finishes is still on record; if it cannot be written, nothing is exported),
 * and `logs.exported` when the stream ends, with the row count and success, or failure when the client went away
 * ("cancelled"), stopped reading and was cut ("stalled") or the database failed midway ("error").
 */
export async function exportLog(options: ExportLogOptions): Promise<LogExport> {
  const handle = databaseHandle();
  const writer = options.writer ?? defaultWriter(handle);
  const query = { log: options.log, tenantId: options.tenantId, filters: options.filters };
  const details = { log: options.log, ...filterParams(options.filters), writer };
  const audit = (action: "logs.export_started" | "logs.exported", outcome: "success" | "failure", extra: Record<string, string | number> = {}) =>
    recordAudit(db(), {
      tenantId: options.tenantId,
      actorUserId: options.actorUserId,
      actorApiKeyId: options.actorApiKeyId ?? null,
      action,
      target: `logs:${options.log}`,
      outcome,
      details: { ...details, ...extra },
      meta: options.meta,
    });

  await audit("logs.export_started", "success");
  const source: CsvSource = writer === "copy" ? copyCsv(handle, query) : batchCsv(handle, query);
  const chunks = source.chunks[Symbol.asyncIterator]();
  let finished = false;
  const finish = async (outcome: "success" | "failure", reason?: string) => {
    if (finished) return;
    finished = true;
    await audit("logs.exported", outcome, { rows: source.rows(), ...(reason ? { reason } : {}) }).catch((error: unknown) => {
      console.error(`Could not record the end of a log export: ${describeError(error)}`);
    });
  };

  // The first chunk is read before the answer starts: a database that fails right away (gone, or the statement
  // refused) is then answered with a clear error (503 "try again" when it is out of reach), not a 200 cut short.
  let first: IteratorResult<Buffer> | null;
  try {
    first = await chunks.next();
  } catch (error) {
    source.cancel();
    await finish("failure", "error");
    throw error;
  }

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = first ?? (await chunks.next());
          first = null;
          if (next.done) {
            await finish("success");
            controller.close();
          } else {
            controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
          }
        } catch (error) {
          source.cancel();
          await finish("failure", "error");
          controller.error(error);
        }
      },
      async cancel(reason: unknown) {
        source.cancel();
        await chunks.return?.(undefined).catch(() => undefined);
        // Cut for taking no bytes (guard-export-body.ts), or the client went away.
        await finish("failure", reason instanceof ExportStalledError ? "stalled" : "cancelled");
      },
    },
    { highWaterMark: 0 },
  );

  const stamp = (options.now ?? new Date()).toISOString().replaceAll(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return { filename: `quickbooks-${options.log}-log-${stamp}.csv`, writer, body };
}
