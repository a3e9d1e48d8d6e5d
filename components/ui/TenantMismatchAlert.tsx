"use client";

import { useEffect, useState } from "react";
import { onStalePage } from "@/components/api-client";

/**
 * Says, once, that this page belongs to another tenant than the one the session now acts for (a switch in another
 * tab, or a Reconnect link), with the route's own words ("This page is for Acme Field Services, but your session now
 * acts for Globex Logistics…") and a way to reload. Every request of the page is refused until then.
 */
export function TenantMismatchAlert() {
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => onStalePage((error) => setMessage(error.message)), []);
  if (!message) return null;
  return (
    <div role="alert" data-testid="tenant-mismatch" className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950">
      <p>{message}</p>
      <button type="button" onClick={() => window.location.reload()} className="rounded border border-amber-400 bg-white px-3 py-1 font-medium hover:bg-amber-100">
        Reload
      </button>
    </div>
  );
}
