import { rowsOf } from "@/db/rows";
import type { Readable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import type { DatabaseHandle } from "@/db/client";
import { LOG_COLUMNS, formatCell, type LogName, type RawValue } from "./columns";
import { copySelectPieces, rowSelectPieces, toDrizzleSql, toInlineSql, type LogCursor, type LogFilters } from "./log-query";

/**
 * The two CSV writers of a log export, both async iterables of byte chunks with the same bytes for the same rows:
 * PostgreSQL's own CSV writer streamed through postgres.js (`COPY (SELECT …) TO STDOUT`), and keyset batches of rows
 * through csv-stringify (PGlite has no streaming COPY TO STDOUT). Each reports the number of data rows it wrote.
 */

export const BATCH_SIZE = 1000;

/** csv-stringify set to write exactly what PostgreSQL's COPY … (FORMAT csv) writes. */
const CSV_OPTIONS = {
  delimiter: ",",
  quote: '"',
  escape: '"',
  record_delimiter: "\n",
  // COPY quotes any field holding a \n or a \r; with an explicit record delimiter csv-stringify would only quote \n.
  quote_record_delimiter: true,
  // COPY quotes the empty string (to tell it from NULL) and leaves NULL an empty, unquoted field.
  quoted_match: /^$/,
  // Neutralisation is done by formatCell(), the twin of the SQL; csv-stringify's own variant differs.
  escape_formulas: false,
};

/** Records (cells already formatted: text or null) as CSV text, with a header row when `header` is given. */
export function csvText(records: (string | null)[][], header?: string[]): string {
  return stringify(records, header ? { ...CSV_OPTIONS, header: true, columns: header } : CSV_OPTIONS);
}

export interface CsvSource {
  chunks: AsyncIterable<Buffer>;
  /** Data rows written so far (the header is not counted); final once `chunks` is done. */
  rows(): number;
  /** Stops the export early (the client went away): frees the database connection. */
  cancel(): void;
}

export interface ExportQuery {
  log: LogName;
  tenantId: string;
  filters: LogFilters;
}


/** The batch path: keyset pages of BATCH_SIZE rows, each page a separate short query, formatted by csv-stringify. */
export function batchCsv(handle: DatabaseHandle, query: ExportQuery): CsvSource {
  const columns = LOG_COLUMNS[query.log];
  let rows = 0;
  let cancelled = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from(csvText([], columns.map((c) => c.name)), "utf8");
    let keyset: LogCursor | undefined;
    while (!cancelled) {
      const batch = rowsOf<Record<string, RawValue>>(await handle.db.execute(toDrizzleSql(rowSelectPieces(query.log, query.tenantId, query.filters, keyset, BATCH_SIZE))));
      if (batch.length === 0) return;
      const records = batch.map((row) => columns.map((c) => formatCell(c, row[c.name])));
      rows += batch.length;
      yield Buffer.from(csvText(records), "utf8");
      if (batch.length < BATCH_SIZE) return;
      const last = batch[batch.length - 1]!;
      keyset = { direction: "older", time: String(last._cursor_time), id: String(last._cursor_id) };
    }
  }
  return {
    chunks: chunks(),
    rows: () => rows,
    cancel: () => {
      cancelled = true;
    },
  };
}

/** The COPY statement of an export: the SELECT with its values inlined, since COPY takes no bind parameters. */
export function copyStatement(query: ExportQuery): string {
  return `copy (${toInlineSql(copySelectPieces(query.log, query.tenantId, query.filters))}) to stdout with (format csv, header)`;
}

/**
 * The PostgreSQL path: COPY … TO STDOUT through postgres.js, handed on in chunks of at least 64 KB (CopyChunker). It
 * runs in the export pool (db/client.ts), where no statement_timeout cuts a COPY that a client reads steadily.
 */
export function copyCsv(handle: DatabaseHandle, query: ExportQuery): CsvSource {
  const client = handle.exportSql ?? handle.sql;
  if (!client) throw new Error("COPY needs the postgres.js client (PostgreSQL only)");
  const counter = new CsvRecordCounter();
  const statement = client.unsafe(copyStatement(query));
  let stream: Readable | null = null;
  let chunker: CopyChunker | null = null;
  let cancelled = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    stream = (await statement.readable()) as unknown as Readable;
    if (cancelled) return void drain(stream);
    const rows = (chunker = new CopyChunker(stream));
    try {
      for (;;) {
        const chunk = await rows.next();
        if (chunk === null) return;
        counter.feed(chunk);
        yield chunk;
      }
    } finally {
      resumeSocket(stream);
    }
  }
  return {
    chunks: chunks(),
    rows: () => Math.max(0, counter.records - 1),
    cancel: () => {
      cancelled = true;
      statement.cancel();
      chunker?.stop();
      if (stream) drain(stream);
    },
  };
}

/** Lets a cancelled COPY run to its error so that the connection returns to the pool. */
function drain(stream: Readable) {
  stream.on("error", () => resumeSocket(stream));
  stream.on("close", () => resumeSocket(stream));
  stream.resume();
}

/**
 * postgres.js (3.4.9) pauses the socket when the COPY stream's buffer is full and resumes it only from the stream's
 * `_read()`. When the last rows fill the buffer, the stream then ends with the socket still paused: the COPY's
 * CommandComplete and ReadyForQuery are never read, and the pooled connection hangs with the next query sent to it.
 * Calling `_read()` once more after the end resumes the socket (it does nothing else). Tested by the export tests on
 * PostgreSQL, which run queries after every export.
 */
function resumeSocket(stream: Readable) {
  (stream as unknown as { _read(size: number): void })._read(0);
}

/** Bytes handed on at a time: postgres.js pushes one CopyData message (one row) at a time, far too small a unit. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Gathers a COPY stream's rows into chunks of at least CHUNK_BYTES. The rows arrive as 'data' events, each a view onto
 * the socket's buffer, and are copied once, into the chunk. (Reading a paused stream with `read()` would copy them
 * twice: `read()` joins whatever rows are buffered into a new buffer first. At a million rows, every copy is another
 * 160 MB of buffers waiting for the garbage collector, which is what an export's peak memory is made of.) The stream
 * is paused while a full chunk waits for the client, so the database is read no faster than the client takes the
 * bytes (postgres.js then pauses the socket), and a chunk costs one promise, not one per row.
 */
class CopyChunker {
  private parts: Buffer[] = [];
  private size = 0;
  private ended = false;
  private failure: unknown = null;
  private wake: (() => void) | null = null;

  private readonly onData = (row: Buffer) => {
    this.parts.push(row);
    this.size += row.length;
    if (this.size >= CHUNK_BYTES) {
      this.stream.pause();
      this.notify();
    }
  };

  constructor(private readonly stream: Readable) {
    stream.on("data", this.onData);
    stream.on("end", () => {
      this.ended = true;
      this.notify();
    });
    stream.on("error", (error: unknown) => {
      this.failure ??= error;
      this.notify();
    });
    stream.on("close", () => {
      if (!this.ended) this.failure ??= new Error("the COPY stream closed before its end");
      this.notify();
    });
    stream.pause();
  }

  /** The next chunk, or null at the end; rejects on the stream's error. */
  async next(): Promise<Buffer | null> {
    while (this.size < CHUNK_BYTES && !this.ended && this.failure === null) {
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      this.stream.resume();
      await woken;
    }
    if (this.failure !== null) throw this.failure;
    if (this.size === 0) return null;
    const chunk = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return chunk;
  }

  /** Stops gathering (the export was cancelled): whatever still arrives is dropped, and never pauses the stream. */
  stop() {
    this.stream.off("data", this.onData);
    this.parts = [];
    this.size = 0;
  }

  private notify() {
    this.wake?.();
    this.wake = null;
  }
}

/** Counts CSV records (header included) in a byte stream: newlines outside quoted fields. */
export class CsvRecordCounter {
  records = 0;
  private inQuotes = false;

  feed(chunk: Buffer): void {
    const QUOTE = 0x22;
    const NEWLINE = 0x0a;
    let i = 0;
    let nextQuote = -2;
    while (i < chunk.length) {
      if (this.inQuotes) {
        const close = chunk.indexOf(QUOTE, i);
        if (close === -1) return;
        this.inQuotes = false;
        i = close + 1;
        nextQuote = -2;
        continue;
      }
      if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
      const newline = chunk.indexOf(NEWLINE, i);
      if (nextQuote === -1 || (newline !== -1 && newline < nextQuote)) {
        if (newline === -1) return;
        this.records += 1;
        i = newline + 1;
      } else {
        this.inQuotes = true;
        i = nextQuote + 1;
      }
    }
  }
}
