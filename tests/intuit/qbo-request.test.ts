import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { qboRequest } from "@/lib/intuit/qbo-request";
import { connectedCallInput } from "@/tests/intuit/connect-through-emulator";

const intuit = useIntuitMock();
afterEach(() => clearDiscoveryCache());

const connected = () => connectedCallInput(intuit);

describe("qboRequest", () => {
  it("runs any endpoint with its own schema (here: an Account query)", async () => {
    const input = await connected();
    const schema = z.object({ QueryResponse: z.object({ Account: z.array(z.object({ Id: z.string(), Name: z.string() })) }) });
    const result = await qboRequest(input, { path: "/query", query: { query: "select * from Account" }, schema });
    expect(result.data.QueryResponse.Account.map((account) => account.Name)).toContain("Checking");
    expect(intuit.emulator.apiRequests().at(-1)?.minorVersion).toBe("75");
  });
});
