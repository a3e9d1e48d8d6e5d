"use server";

import { AuthError } from "next-auth";
import { isDatabaseUnavailable } from "@/db/unavailable";
import { isSignInThrottled, signIn } from "@/lib/auth/auth";
import { throttledMessage } from "@/lib/auth/sign-in-throttle";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { DATABASE_UNAVAILABLE_MESSAGE } from "@/lib/service-unavailable";

export interface SignInState {
  error: string | null;
}

export async function signInAction(_previous: SignInState, formData: FormData): Promise<SignInState> {
  try {
    await signIn("credentials", {
      email: String(formData.get("email") ?? ""),
      password: String(formData.get("password") ?? ""),
      redirectTo: safeReturnPath(formData.get("callbackUrl")),
    });
    return { error: null };
  } catch (error) {
    // A successful sign-in "throws" Next's redirect: only Auth.js's own errors are answered here.
    if (isSignInThrottled(error)) return { error: throttledMessage(error.retryAfterSeconds) };
    if (error instanceof AuthError) {
      // Auth.js wraps what authorize threw as `cause.err`: a database out of reach is not a wrong password.
      if (isDatabaseUnavailable(error.cause?.err)) return { error: DATABASE_UNAVAILABLE_MESSAGE };
      return { error: "The email or password is not correct." };
    }
    throw error;
  }
}
