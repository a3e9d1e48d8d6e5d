export function Forbidden({ role, what }: { role: string; what: string }) {
  return (
    <section aria-labelledby="forbidden-title" className="rounded-lg border border-amber-300 bg-amber-50 p-6">
      <h1 id="forbidden-title" className="text-lg font-semibold">
        You don&apos;t have access to {what}
      </h1>
      <p className="mt-2 text-sm text-slate-700">
        Your role in this tenant is <strong>{role}</strong>. Ask an admin of the tenant for access, or switch to another tenant.
      </p>
    </section>
  );
}
