// A TCP proxy between a process and a server it depends on (e.g. the app and PostgreSQL), so a test can take the server
// away from that one process, as the process would see an outage, without stopping the server other tests use.
import net from "node:net";

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  /** Connections accepted since start (or the last `restore()`): a client that reconnects shows up here. */
  readonly accepted: number;
  /** Whether the proxy is cut. */
  readonly isCut: boolean;
  /**
   * The server goes away: new connections are refused (the listening socket is closed, as for a stopped server, so
   * a client gets ECONNREFUSED at once) and every open connection is destroyed in both directions.
   */
  cut(): Promise<void>;
  /** The server is back: connections are accepted again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Forwards every connection on 127.0.0.1:`port` (a free one by default) to `target`. `cut()` closes the listener rather
 * than accepting and hanging up: postgres.js, given a connection that is accepted and closed without a word, retries
 * in a tight loop and its queries wait forever (what a stopped server behind a port forwarder looks like), whereas a
 * stopped PostgreSQL refuses connections.
 */
export async function startTcpProxy(target: { host: string; port: number }, options: { port?: number } = {}): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  let cut = false;
  let server: net.Server | null = null;

  const handle = (client: net.Socket) => {
    if (cut) {
      client.destroy();
      return;
    }
    accepted += 1;
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    // Either side closing or failing ends the pair: a half-open pair would hide the outage from the client.
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = net.createServer(handle);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        server = s;
        resolve((s.address() as net.AddressInfo).port);
      });
    });

  const closeListener = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });

  const port = await listen(options.port ?? 0);

  return {
    port,
    get accepted() {
      return accepted;
    },
    get isCut() {
      return cut;
    },
    async cut() {
      cut = true;
      const closing = closeListener();
      for (const socket of open) socket.destroy();
      open.clear();
      await closing;
    },
    async restore() {
      if (!cut) return;
      cut = false;
      accepted = 0;
      // The port was ours a moment ago; another process could take it meanwhile only by a rare coincidence, and the
      // listen would then fail loudly rather than proxy to the wrong place.
      await listen(port);
    },
    async close() {
      cut = true;
      const closing = closeListener();
      for (const socket of open) socket.destroy();
      open.clear();
      await closing;
    },
  };
}
