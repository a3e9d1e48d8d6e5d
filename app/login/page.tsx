import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { LoginForm } from "./LoginForm";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeReturnPath(params.callbackUrl);
  if (await currentActor()) redirect(callbackUrl);
  // Auth.js's own sign-in endpoint, used directly, lands here with its error code.
  const notice = params.code === "rate_limited" ? "Too many sign-in attempts. Try again in a few minutes." : null;
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="text-2xl font-semibold">QuickBooks Connect</h1>
      <p className="mb-6 mt-1 text-sm text-slate-600">Sign in to manage your tenant&apos;s QuickBooks Online connection.</p>
      <LoginForm callbackUrl={callbackUrl} notice={notice} />
    </main>
  );
}
