import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/db";
import { recordAudit, recordFoldableAudit, type RequestMeta } from "@/lib/audit/record";
import { hashPassword, verifyPassword } from "./password";
import { auditTrailFailureStore, decideThrottle, SIGN_IN_THROTTLE, type SignInFailureStore, type SignInThrottlePolicy } from "./sign-in-throttle";
import { findUserByEmail } from "./users";

export interface SignInWithPasswordInput {
  /** Already trimmed and lower-cased. */
  email: string;
  password: string;
  /** The client address from `clientIp` (the key of the per-address limit) and the rest of the request's meta. */
  meta: RequestMeta;
}

export interface SignInWithPasswordOptions {
  store?: SignInFailureStore;
  policy?: SignInThrottlePolicy;
  now?: () => Date;
}

export type SignInWithPasswordResult =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid_credentials" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

// A real argon2id hash of a random password: an unknown email costs the same verification as a known one.
let dummyHash: Promise<string> | undefined;
function hashForUnknownUser(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString("base64url"));
  return dummyHash;
}

// Attempts for one email take turns within this process, so a burst of parallel guesses cannot all pass the count
// before the first failure is written. (Across instances the shared count still applies, one guess per instance.)
const turns = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(key: string, run: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const current = previous.then(run, run);
  const settled = current.catch(() => undefined);
  turns.set(key, settled);
  try {
    return await current;
  } finally {
    if (turns.get(key) === settled) turns.delete(key);
  }
}

/**
 * Checks an email and password, refusing without looking at the password while the email or the client address is
 * over its failure limit. Writes `auth.sign_in_failed` (email, address) for a wrong email or password and
 * `auth.sign_in_throttled` for a refused attempt. The three answers never tell whether the email has an account.
 */
export async function signInWithPassword(input: SignInWithPasswordInput, options: SignInWithPasswordOptions = {}): Promise<SignInWithPasswordResult> {
  const store = options.store ?? auditTrailFailureStore();
  const policy = options.policy ?? SIGN_IN_THROTTLE;
  const now = options.now ?? (() => new Date());

  return oneAtATime(`email:${input.email}`, async (): Promise<SignInWithPasswordResult> => {
    const startedAt = now();
    const since = new Date(startedAt.getTime() - policy.windowMs);
    const ip = input.meta.ip;
    const [byEmail, byIp] = await Promise.all([
      store.recentFailures({ email: input.email }, since, policy.maxFailuresPerEmail),
      ip ? store.recentFailures({ ip }, since, policy.maxFailuresPerIp) : Promise.resolve([]),
    ]);
    const decision = decideThrottle({ email: byEmail, ip: byIp }, startedAt, policy);
    if (decision.throttled) {
      // A refused attempt is folded by address (lib/logs/repeat-fold.ts), or also by email when the email is what is
      // limited: an address past its limit can try endless emails, and must not add a row for each.
      const details = { email: input.email, limitedBy: decision.limitedBy, retryAfterSeconds: decision.retryAfterSeconds };
      const sameWhen = decision.limitedBy === "email" ? ["limitedBy", "email"] : ["limitedBy"];
      await recordFoldableAudit(db(), { tenantId: null, actorUserId: null, action: "auth.sign_in_throttled", outcome: "failure", details, meta: input.meta }, sameWhen);
      return { ok: false, reason: "throttled", retryAfterSeconds: decision.retryAfterSeconds };
    }

    const user = await findUserByEmail(db(), input.email);
    const valid = await verifyPassword(user?.passwordHash ?? (await hashForUnknownUser()), input.password);
    if (user && valid) return { ok: true, user: { id: user.id, email: user.email, name: user.name } };

    await recordAudit(db(), {
      tenantId: null,
      actorUserId: user?.id ?? null,
      action: "auth.sign_in_failed",
      outcome: "failure",
      details: { email: input.email },
      meta: input.meta,
    });
    await store.recordFailure({ email: input.email, ip, at: startedAt });
    return { ok: false, reason: "invalid_credentials" };
  });
}
