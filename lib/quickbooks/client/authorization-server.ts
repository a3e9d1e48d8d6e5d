import "server-only";
import type { AuthorizationServer } from "oauth4webapi";
import { fetchDiscovery } from "@/lib/intuit/discovery";
import { discoveryUnavailable } from "../errors";
import type { IntuitApp } from "./intuit-app";

/** Intuit's endpoints for this app, read from its discovery document (cached by lib/intuit/discovery). */
export async function authorizationServerFor(app: IntuitApp): Promise<AuthorizationServer> {
  try {
    return await fetchDiscovery(app.discoveryUrl);
  } catch (error) {
    throw discoveryUnavailable(error);
  }
}
