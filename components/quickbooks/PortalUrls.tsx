"use client";

import { useState } from "react";

/** The URLs to paste into Intuit's developer portal, each with a copy button. */
export function PortalUrls({ urls }: { urls: { label: string; url: string; where: string }[] }) {
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <section aria-labelledby="portal-title" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="portal-title" className="text-lg font-semibold">
        URLs for Intuit&apos;s developer portal
      </h2>
      <p className="mt-1 text-sm text-slate-600">Paste each into the app&apos;s settings at Intuit, exactly as shown.</p>
      <dl className="mt-4 space-y-3">
        {urls.map(({ label, url, where }) => (
          <div key={label} className="grid gap-1 sm:grid-cols-[12rem_1fr_auto] sm:items-center">
            <dt className="text-sm font-medium">
              {label}
              <span className="block text-xs font-normal text-slate-500">{where}</span>
            </dt>
            <dd className="break-all font-mono text-sm" data-testid={`portal-url-${label}`}>
              {url}
            </dd>
            <dd>
              <button
                type="button"
                aria-label={`Copy ${label}`}
                onClick={async () => {
                  await navigator.clipboard?.writeText(url);
                  setCopied(label);
                }}
                className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100"
              >
                {copied === label ? "Copied" : "Copy"}
              </button>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
