// Server-Timing for routes that call Intuit: how long the request waited on Intuit, and its total time in the
// handler, so that a browser's devtools, a monitor or the benchmark (bench/connect.ts) can tell the app's own time from
// Intuit's. The calls are counted through intuitFetch, the default fetch of every Intuit call (lib/intuit/).
import { AsyncLocalStorage } from "node:async_hooks";

interface Waits {
  intuitMs: number;
  intuitCalls: number;
}

const current = new AsyncLocalStorage<Waits>();

/**
 * Runs a route handler's body and adds `Server-Timing: intuit;dur=<ms>;desc="<n> calls", total;dur=<ms>` to its
 * response. `intuit` is the sum of the calls' times until Intuit's answer arrived (calls made one after the other, as
 * every route does, never overlap).
 */
export async function withServerTiming(body: () => Promise<Response>): Promise<Response> {
  const waits: Waits = { intuitMs: 0, intuitCalls: 0 };
  const started = performance.now();
  let response = await current.run(waits, body);
  const total = performance.now() - started;
  const value = `intuit;dur=${waits.intuitMs.toFixed(1)};desc="${waits.intuitCalls} calls", total;dur=${total.toFixed(1)}`;
  try {
    response.headers.append("server-timing", value);
  } catch {
    // Response.redirect() and friends have immutable headers: copy the response to add ours.
    response = new Response(response.body, response);
    response.headers.append("server-timing", value);
  }
  return response;
}

/** The global fetch, timed: its time until the answer's headers counts as time spent waiting on Intuit. */
export const intuitFetch: typeof fetch = async (input, init) => {
  const waits = current.getStore();
  const started = performance.now();
  try {
    return await fetch(input, init);
  } finally {
    if (waits) {
      waits.intuitMs += performance.now() - started;
      waits.intuitCalls += 1;
    }
  }
};
