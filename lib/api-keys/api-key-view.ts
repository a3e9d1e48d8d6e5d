import type { ApiKeyScope } from "@/lib/auth/permissions";
import type { ApiKeyStatus } from "./api-key-rules";

/** What the console and the API show of a key: never its secret or hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  status: ApiKeyStatus;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  rotatedFromId: string | null;
  replacedById: string | null;
  graceExpiresAt: string | null;
}
