import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { db, ensureDatabaseReady } from "@/db";
import { recordAudit, requestMetaFromHeaders } from "@/lib/audit/record";
import { describeError } from "@/lib/describe-error";
import { env } from "@/lib/env";
import { safeRedirectUrl } from "@/lib/http/safe-return-path";
import { signInWithPassword } from "./sign-in-with-password";
import { findMembership, listMemberships } from "./users";

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** A sign-in refused by the rate limit (lib/auth/sign-in-throttle.ts). `code` goes in Auth.js's error URL. */
export class SignInThrottled extends CredentialsSignin {
  code = "rate_limited";
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
}

export function isSignInThrottled(error: unknown): error is SignInThrottled {
  return error instanceof CredentialsSignin && error.code === "rate_limited" && typeof (error as Partial<SignInThrottled>).retryAfterSeconds === "number";
}

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(1).max(200),
});

/** Sign-in with email and password. The session is a JWT carrying the user and the active tenant only; the role is
 * read from the database on every request, so a changed or removed membership takes effect at once. */
export const { handlers, auth, signIn, signOut, unstable_update: updateSession } = NextAuth(() => ({
  secret: env().authSecret,
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  useSecureCookies: env().appUrl.startsWith("https://"),
  pages: { signIn: "/login", error: "/login" },
  // Auth.js prints a stack trace for every failed sign-in; a wrong password is not an error worth one.
  logger: {
    error: (error: Error) => {
      // Class names are minified in production builds: Auth.js's `type` is the stable name.
      const type = (error as Error & { type?: string }).type ?? error.name;
      // Auth.js keeps the error it caught (a failed query in authorize…) as `cause.err`.
      const caught = (error.cause as { err?: unknown } | undefined)?.err;
      if (type !== "CredentialsSignin") console.error(`[auth] ${type}${caught ? ` ← ${describeError(caught)}` : ""}`);
    },
    warn: () => {},
    debug: () => {},
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) throw new CredentialsSignin();
        await ensureDatabaseReady();
        const result = await signInWithPassword({ ...parsed.data, meta: requestMetaFromHeaders(request.headers) });
        if (result.ok) return result.user;
        if (result.reason === "throttled") throw new SignInThrottled(result.retryAfterSeconds);
        throw new CredentialsSignin();
      },
    }),
  ],
  callbacks: {
    // Where Auth.js sends the browser after signing in or out: a path on APP_URL only, whatever callbackUrl says.
    redirect({ url }) {
      return safeRedirectUrl(url, env().appUrl);
    },
    async jwt({ token, user, trigger, session }) {
      if (user?.id) {
        const [first] = await listMemberships(db(), user.id);
        token.userId = user.id;
        token.tenantId = first?.tenantId ?? null;
        await recordAudit(db(), {
          tenantId: first?.tenantId ?? null,
          actorUserId: user.id,
          action: "auth.signed_in",
          outcome: "success",
        });
      }
      // Tenant switch: accepted only for a tenant the user belongs to.
      if (trigger === "update" && typeof session?.tenantId === "string" && typeof token.userId === "string") {
        const membership = await findMembership(token.userId, session.tenantId);
        if (membership) token.tenantId = membership.tenantId;
      }
      return token;
    },
    async session({ session, token }) {
      return { ...session, userId: token.userId, tenantId: token.tenantId };
    },
  },
}));
