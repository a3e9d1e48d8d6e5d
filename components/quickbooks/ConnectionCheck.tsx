"use client";

import { useState } from "react";
import type { ConnectionStatusView } from "@/lib/quickbooks/get-connection-status";
import { fetchStatus, postVerify } from "./api";
import { SyncIndicator } from "./SyncIndicator";

/**
 * Intuit's Disconnect landing: the connection's status as stored, and, for a role that may verify and a connection
 * that holds tokens, "Check the connection now": a POST (Verify, a test call to QuickBooks) run only on that click,
 * never by the page's GET, which a link from anywhere can trigger. A refused test call marks the connection
 * "reauthorization required", which the refreshed status then shows.
 */
export function ConnectionCheck({ tenantId, initialStatus, canVerify }: { tenantId: string; initialStatus: ConnectionStatusView; canVerify: boolean }) {
  const [status, setStatus] = useState(initialStatus);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function check() {
    setBusy(true);
    setOutcome(null);
    try {
      const { verified } = await postVerify(tenantId);
      setOutcome({ ok: true, text: `The connection works: ${verified.companyName} answered.` });
    } catch (failure) {
      setOutcome({ ok: false, text: failure instanceof Error ? failure.message : String(failure) });
    }
    // The status as it is now (a refused test call changed it); if even that fails, the line above says why.
    await fetchStatus(tenantId).then(setStatus, () => undefined);
    setBusy(false);
  }

  return (
    <div className="space-y-3">
      <SyncIndicator indicator={status.indicator} reasons={status.reasons} />
      {canVerify && status.actions.includes("verify") && (
        <button type="button" onClick={check} disabled={busy} className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-100 disabled:opacity-60">
          {busy ? "Checking…" : "Check the connection now"}
        </button>
      )}
      <p aria-live="polite" className={`text-sm ${outcome?.ok ? "text-green-800" : "text-red-800"}`}>
        {outcome?.text}
      </p>
    </div>
  );
}
