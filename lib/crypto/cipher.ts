import "server-only";
import { env } from "@/lib/env";
import { keyFromBase64, TokenCipher } from "./token-cipher";

let cipher: TokenCipher | undefined;

/** The process's cipher for secrets at rest, built from TOKEN_ENCRYPTION_KEY (and any previous keys). */
export function tokenCipher(): TokenCipher {
  cipher ??= new TokenCipher(
    keyFromBase64(env().tokenEncryptionKey),
    env().tokenEncryptionPreviousKeys.map(keyFromBase64),
  );
  return cipher;
}
