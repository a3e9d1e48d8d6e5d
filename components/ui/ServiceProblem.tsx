"use client";

import { DATABASE_UNAVAILABLE_DIGEST, DATABASE_UNAVAILABLE_TITLE } from "@/lib/service-unavailable";

/**
 * What a page says when the server could not render it: "the database is out of reach, try again" when that is the
 * cause, otherwise a generic failure with the reference an administrator can find in the server log. Never the
 * error's text or stack.
 */
export function ServiceProblem({ digest, retrying = false, onRetry }: { digest?: string; retrying?: boolean; onRetry: () => void }) {
  const databaseDown = digest === DATABASE_UNAVAILABLE_DIGEST;
  return (
    <main className="mx-auto max-w-lg px-4 py-16">
      <section role="alert" aria-labelledby="service-problem-title" data-testid="service-problem" data-cause={databaseDown ? "database_unavailable" : "error"} className="rounded-lg border border-amber-300 bg-amber-50 p-6">
        <h1 id="service-problem-title" className="text-lg font-semibold">
          {databaseDown ? `${DATABASE_UNAVAILABLE_TITLE}.` : "This page could not be loaded"}
        </h1>
        <p className="mt-2 text-sm text-slate-700">
          {databaseDown
            ? "The service is unavailable for a moment. Nothing was changed; try again in a few seconds."
            : "Something went wrong on our side. Try again in a moment; if it keeps happening, tell your administrator."}
        </p>
        {!databaseDown && digest ? <p className="mt-2 font-mono text-xs text-slate-500">Reference: {digest}</p> : null}
        <button type="button" onClick={onRetry} disabled={retrying} className="mt-4 rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60">
          {retrying ? "Trying again…" : "Try again"}
        </button>
      </section>
    </main>
  );
}
