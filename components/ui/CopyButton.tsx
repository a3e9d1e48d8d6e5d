"use client";

import { useState } from "react";

/** Copies a value to the clipboard; says "Copied" once it did. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={label}
      onClick={async () => {
        await navigator.clipboard?.writeText(value).catch(() => undefined);
        setCopied(true);
      }}
      className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100"
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}
