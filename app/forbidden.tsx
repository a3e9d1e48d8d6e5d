import Link from "next/link";

/** Rendered with HTTP 403 when a signed-in user's role may not open a page (`forbidden()` in lib/auth/guard.ts). */
export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg px-4 py-16">
      <section aria-labelledby="forbidden-title" className="rounded-lg border border-amber-300 bg-amber-50 p-6">
        <h1 id="forbidden-title" className="text-lg font-semibold">
          You don&apos;t have access to this page
        </h1>
        <p className="mt-2 text-sm text-slate-700">
          Your role in this tenant does not allow it. Ask an admin of the tenant for access, or switch to another tenant.
        </p>
        <Link href="/integrations/quickbooks" className="mt-4 inline-block text-sm font-medium text-blue-700 underline">
          Back to the QuickBooks connection
        </Link>
      </section>
    </main>
  );
}
