"use client";

import { useState } from "react";
import { postReconnect } from "./api";

/**
 * The Reconnect page's one click: a POST for the tenant the page names (the route switches the session to it when
 * needed and starts the authorization), then the browser goes to Intuit. Not a form: a form's redirect to Intuit
 * would be blocked by the page's CSP (form-action 'self' covers redirects), a navigation by script is not.
 */
export function ReconnectButton({ tenantId }: { tenantId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function reconnect() {
    setBusy(true);
    setError(null);
    try {
      const { authorizationUrl } = await postReconnect(tenantId);
      window.location.assign(authorizationUrl);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  }

  return (
    <div className="space-y-2">
      <button
        type="button"
        onClick={reconnect}
        disabled={busy}
        className="rounded-md bg-intuit px-5 py-2.5 font-semibold text-white hover:bg-intuit-dark disabled:opacity-60"
      >
        {busy ? "Starting…" : "Reconnect to QuickBooks"}
      </button>
      <p aria-live="polite" className="text-sm text-red-800">
        {error}
      </p>
    </div>
  );
}
