// Runs once when the server starts. The work lives in a Node.js-only module (lib/start-server.ts), loaded only in
// the Node.js runtime, so the Edge build of this file never sees Node APIs.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("@/lib/start-server");
    await startServer();
  }
}
