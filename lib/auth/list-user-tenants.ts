import "server-only";
import { db } from "@/db";
import { listMemberships, type Membership } from "./users";

/** The tenants a user belongs to, with their role in each: what the console's tenant switcher offers. */
export async function listUserTenants(userId: string): Promise<Membership[]> {
  return listMemberships(db(), userId);
}
