/**
 * An export's body as the client is handed it: a stream that cuts a client who takes no bytes for `idleMs`, and says
 * once, whatever the way it ends (all sent, the client gone, an error, the cut), that the export is over.
 *
 * "Takes no bytes" is measured from the moment a chunk is handed on to the moment the next one is asked for: the
 * server asks for the next chunk as soon as the socket has taken the last one, so the time spent producing a chunk
 * (the database reading) never counts, only the client's. A client on a slow link still takes a 64 KB chunk every few
 * seconds; one that stopped reading takes none once the socket's buffers are full.
 */

/** The reason an export was cut: its client stopped reading. Handed to the inner stream's `cancel()`. */
export class ExportStalledError extends Error {
  constructor(readonly idleMs: number) {
    super(`The client took no bytes for ${idleMs} ms: the export was cut.`);
    this.name = "ExportStalledError";
  }
}

export interface GuardOptions {
  idleMs: number;
  /** Called exactly once, when the export ends for any reason (e.g. to give its slot back). */
  onEnd: () => void;
}

export function guardExportBody(inner: ReadableStream<Uint8Array>, options: GuardOptions): ReadableStream<Uint8Array> {
  const reader = inner.getReader();
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const end = () => {
    clearTimeout(timer);
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  let cut: ((stalled: ExportStalledError) => void) | null = null;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => cut?.(new ExportStalledError(options.idleMs)), options.idleMs);
    // The cut matters only while the process serves the export; it never keeps the process alive on its own.
    timer.unref?.();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        cut = (stalled) => {
          if (ended) return;
          end();
          controller.error(stalled);
          // The inner stream stops its database work (the COPY is cancelled, its connection returns to the pool).
          reader.cancel(stalled).catch(() => undefined);
        };
        // A response nobody starts reading is cut too.
        arm();
      },
      async pull(controller) {
        clearTimeout(timer);
        try {
          const next = await reader.read();
          if (ended) return;
          if (next.done) {
            end();
            controller.close();
            return;
          }
          controller.enqueue(next.value);
          arm();
        } catch (error) {
          end();
          controller.error(error);
        }
      },
      async cancel(reason) {
        end();
        await reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
